package dev.tiered.state.io;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 settings are read from Flink's configuration as {@code flink-s3-fs-hadoop} reads them. */
class S3SettingsTest {

    private static S3Settings of(Map<String, String> keys) {
        Configuration config = new Configuration();
        keys.forEach(config::setString);
        return S3Settings.of(config);
    }

    @Test
    void readsThePluginsKeysWithAnyOfItsPrefixes() {
        S3Settings settings =
                of(
                        Map.of(
                                "s3.endpoint", "http://127.0.0.1:9000",
                                "s3a.endpoint.region", "eu-west-1",
                                "fs.s3a.access.key", "AK",
                                "s3.secret-key", "SK",
                                "s3.path.style.access", "true",
                                "taskmanager.numberOfTaskSlots", "2"));

        assertThat(settings)
                .isEqualTo(
                        new S3Settings(
                                URI.create("http://127.0.0.1:9000"),
                                "eu-west-1",
                                "AK",
                                "SK",
                                null,
                                true));
    }

    @Test
    void acceptsTheHyphenatedNamesThePluginMirrors() {
        S3Settings settings =
                of(
                        Map.of(
                                "s3.access-key", "AK",
                                "s3.secret-key", "SK",
                                "s3.path-style-access", "true"));

        assertThat(settings.accessKey()).isEqualTo("AK");
        assertThat(settings.secretKey()).isEqualTo("SK");
        assertThat(settings.pathStyleAccess()).isTrue();
    }

    @Test
    void aBareEndpointTakesItsSchemeFromTheSslSwitch() {
        assertThat(of(Map.of("s3.endpoint", "minio:9000")).endpoint())
                .isEqualTo(URI.create("https://minio:9000"));
        assertThat(
                        of(Map.of(
                                        "s3.endpoint",
                                        "minio:9000",
                                        "s3.connection.ssl.enabled",
                                        "false"))
                                .endpoint())
                .isEqualTo(URI.create("http://minio:9000"));
    }

    @Test
    void withoutKeysEverythingComesFromTheDefaultChains() {
        assertThat(of(Map.of())).isEqualTo(new S3Settings(null, null, null, null, null, false));
    }

    @Test
    void neverPrintsTheSecrets() {
        S3Settings settings = of(Map.of("s3.access-key", "AKIA-SECRET", "s3.secret-key", "SK-X"));

        assertThat(settings.toString()).doesNotContain("AKIA-SECRET").doesNotContain("SK-X");
    }

    @Test
    void objectStoresOtherThanS3RefuseCreateIfAbsent() {
        assertThatThrownBy(
                        () ->
                                new FlinkFileIO()
                                        .createIfAbsent(
                                                new Path("gs://bucket/t/_log/1.json"), new byte[0]))
                .hasMessage(
                        "Cannot create gs://bucket/t/_log/1.json if absent: conditional writes to"
                                + " 'gs' are not supported (use s3:// or s3a:// with"
                                + " flink-s3-fs-hadoop, or a file system with atomic rename)");
    }

    @Test
    void s3KeysAreThePathsWithoutTheLeadingSlash() {
        assertThat(S3ConditionalPut.key(new Path("s3://bucket/w/chat/messages/_log/1.json")))
                .isEqualTo("w/chat/messages/_log/1.json");
        assertThat(S3ConditionalPut.key(new Path("s3://bucket/w/chat/messages/bob%20smith")))
                .isEqualTo("w/chat/messages/bob%20smith");
        assertThat(ObjectStores.isS3(new Path("s3a://bucket/k"))).isTrue();
        assertThat(ObjectStores.isS3(new Path("s3p://bucket/k"))).isFalse();
        assertThat(ObjectStores.isObjectStore(new Path("s3p://bucket/k"))).isTrue();
        assertThat(ObjectStores.isObjectStore(new Path("file:///tmp/k"))).isFalse();
    }
}
