package dev.tiered.table;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the jar a user drops into {@code flink/lib} (DESIGN §2). Runs after {@code package}, so it
 * sees the shaded jar the build produced.
 */
class ShadedJarITCase {

    private static File shadedJar() {
        String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
        File jar = new File("target/flink-sql-connector-tiered-" + version + ".jar");
        assertThat(jar).as("shaded connector jar (run 'mvn package' first)").exists();
        return jar;
    }

    private static List<String> entries(JarFile jar) {
        List<String> names = new ArrayList<>();
        jar.stream().map(JarEntry::getName).forEach(names::add);
        return names;
    }

    @Test
    void bundlesNoFlinkAndNoRocksDb() throws IOException {
        try (JarFile jar = new JarFile(shadedJar())) {
            List<String> names = entries(jar);
            assertThat(names).noneMatch(n -> n.startsWith("org/apache/flink/"));
            assertThat(names).noneMatch(n -> n.startsWith("org/rocksdb/"));
            assertThat(names).anyMatch(n -> n.startsWith("dev/tiered/state/"));
            assertThat(names).anyMatch(n -> n.equals("dev/tiered/source/TieredSource.class"));
            assertThat(names).anyMatch(n -> n.startsWith("dev/tiered/sink/"));
        }
    }

    @Test
    void relocatesThirdPartyPackagesUnderDevTieredShaded() throws IOException {
        try (JarFile jar = new JarFile(shadedJar())) {
            List<String> names = entries(jar);
            for (String prefix :
                    new String[] {
                        "com/fasterxml/jackson/",
                        "org/apache/parquet/",
                        "org/apache/avro/",
                        "org/apache/commons/",
                        "software/amazon/awssdk/",
                        "org/reactivestreams/"
                    }) {
                assertThat(names).as(prefix).noneMatch(n -> n.startsWith(prefix));
                assertThat(names)
                        .as(prefix)
                        .anyMatch(n -> n.startsWith("dev/tiered/shaded/" + prefix));
            }
        }
    }

    /**
     * The AWS SDK is there for one conditional PutObject (the commit point on S3), over the JDK's
     * HTTP client: none of its Netty/Apache clients or the CRT's native code.
     */
    @Test
    void bundlesTheS3SdkWithTheJdkHttpClientOnly() throws IOException {
        String sdk = "dev/tiered/shaded/software/amazon/awssdk/";
        try (JarFile jar = new JarFile(shadedJar())) {
            List<String> names = entries(jar);
            assertThat(names)
                    .contains(
                            sdk + "services/s3/S3Client.class",
                            sdk + "http/urlconnection/UrlConnectionHttpClient.class");
            assertThat(names)
                    .noneMatch(n -> n.startsWith(sdk + "http/nio/"))
                    .noneMatch(n -> n.startsWith(sdk + "http/apache"))
                    .noneMatch(n -> n.startsWith(sdk + "crt/"))
                    .noneMatch(n -> n.contains("/netty/"));
            JarEntry httpServices =
                    jar.getJarEntry(
                            "META-INF/services/dev.tiered.shaded.software.amazon.awssdk.http"
                                    + ".SdkHttpService");
            assertThat(httpServices).isNotNull();
            try (BufferedReader reader =
                    new BufferedReader(
                            new InputStreamReader(
                                    jar.getInputStream(httpServices), StandardCharsets.UTF_8))) {
                assertThat(
                                reader.lines()
                                        .map(String::trim)
                                        .filter(l -> !l.isEmpty() && !l.startsWith("#")))
                        .containsExactly(
                                "dev.tiered.shaded.software.amazon.awssdk.http.urlconnection"
                                        + ".UrlConnectionSdkHttpService");
            }
        }
    }

    @Test
    void factoryServiceFileNamesOurFactories() throws IOException {
        try (JarFile jar = new JarFile(shadedJar())) {
            JarEntry services =
                    jar.getJarEntry("META-INF/services/org.apache.flink.table.factories.Factory");
            assertThat(services).isNotNull();
            try (BufferedReader reader =
                    new BufferedReader(
                            new InputStreamReader(
                                    jar.getInputStream(services), StandardCharsets.UTF_8))) {
                List<String> factories =
                        reader.lines()
                                .map(String::trim)
                                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                                .collect(Collectors.toList());
                assertThat(factories).contains(TieredDynamicTableFactory.class.getName());
                for (String factory : factories) {
                    assertThat(jar.getJarEntry(factory.replace('.', '/') + ".class"))
                            .as("class of " + factory)
                            .isNotNull();
                }
            }
        }
    }
}
