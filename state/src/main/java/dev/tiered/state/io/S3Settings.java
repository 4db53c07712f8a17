package dev.tiered.state.io;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How to reach S3 for the conditional put of a commit file: read from the same Flink configuration
 * keys as {@code flink-s3-fs-hadoop}, with the same rules, so that commit files go where the plugin
 * writes data files. The plugin maps every key starting with {@code s3.}, {@code s3a.} or {@code
 * fs.s3a.} to the Hadoop key {@code fs.s3a.<rest>} and accepts {@code access-key}, {@code
 * secret-key} and {@code path-style-access} for their dotted Hadoop names; so does this class.
 *
 * <p>Keys used: {@code s3.endpoint} (a URI, or {@code host[:port]} with {@code
 * s3.connection.ssl.enabled} deciding http/https), {@code s3.endpoint.region}, {@code
 * s3.access-key}, {@code s3.secret-key}, {@code s3.session.token}, {@code s3.path.style.access}.
 * Whatever is not set comes from the AWS SDK's default chains (environment, profile, instance
 * role), as the plugin's default credential providers do.
 *
 * @param endpoint the endpoint URI, or null for AWS's own
 * @param region the signing region, or null to find it
 */
record S3Settings(
        URI endpoint,
        String region,
        String accessKey,
        String secretKey,
        String sessionToken,
        boolean pathStyleAccess) {

    private static final String[] FLINK_PREFIXES = {"s3.", "s3a.", "fs.s3a."};
    private static final String HADOOP_PREFIX = "fs.s3a.";
    private static final Map<String, String> MIRRORED =
            Map.of(
                    "fs.s3a.access-key", "fs.s3a.access.key",
                    "fs.s3a.secret-key", "fs.s3a.secret.key",
                    "fs.s3a.path-style-access", "fs.s3a.path.style.access");

    private static volatile S3Settings cluster;

    /**
     * Settings of this process's cluster configuration ({@code $FLINK_CONF_DIR/config.yaml}, which
     * the distribution's scripts export to every JobManager, TaskManager, SQL gateway and client),
     * loaded once. Without {@code FLINK_CONF_DIR}: no keys, the AWS SDK's default chains only.
     */
    static S3Settings ofCluster() {
        S3Settings settings = cluster;
        if (settings == null) {
            settings = of(GlobalConfiguration.loadConfiguration());
            cluster = settings;
        }
        return settings;
    }

    /** Settings from the S3 keys of a Flink configuration. */
    static S3Settings of(Configuration flinkConfig) {
        Map<String, String> s3a = new HashMap<>();
        for (Map.Entry<String, String> entry : flinkConfig.toMap().entrySet()) {
            for (String prefix : FLINK_PREFIXES) {
                if (entry.getKey().startsWith(prefix)) {
                    String key = HADOOP_PREFIX + entry.getKey().substring(prefix.length());
                    s3a.put(MIRRORED.getOrDefault(key, key), entry.getValue().trim());
                }
            }
        }
        boolean ssl = !"false".equalsIgnoreCase(s3a.get("fs.s3a.connection.ssl.enabled"));
        return new S3Settings(
                endpoint(s3a.get("fs.s3a.endpoint"), ssl),
                emptyToNull(s3a.get("fs.s3a.endpoint.region")),
                emptyToNull(s3a.get("fs.s3a.access.key")),
                emptyToNull(s3a.get("fs.s3a.secret.key")),
                emptyToNull(s3a.get("fs.s3a.session.token")),
                "true".equalsIgnoreCase(s3a.get("fs.s3a.path.style.access")));
    }

    private static URI endpoint(String value, boolean ssl) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return URI.create(value);
        }
        // S3A accepts a bare host[:port]; the scheme then follows fs.s3a.connection.ssl.enabled.
        return URI.create((ssl ? "https://" : "http://") + value);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Never prints the secrets. */
    @Override
    public String toString() {
        return "S3Settings[endpoint="
                + (endpoint == null ? "(AWS)" : endpoint)
                + ", region="
                + (region == null ? "(default chain)" : region)
                + ", credentials="
                + (accessKey == null ? "(default chain)" : "s3.access-key")
                + ", pathStyleAccess="
                + pathStyleAccess
                + "]";
    }
}
