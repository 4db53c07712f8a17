package dev.tiered.e2e.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the build put what the e2e tests need (failsafe passes the paths as system properties, see
 * the module's pom), and small file helpers. A missing artifact fails with what to build.
 */
public final class E2eFiles {
    private E2eFiles() {}

    /** {@code target/flink-lib}: the cluster's {@code flink/lib} without our connector. */
    public static Path flinkLib() {
        return existing("e2e.flink.lib", "mvn -pl e2e-tests -am verify");
    }

    /** {@code target/flink-opt}: what the distribution keeps in {@code opt/} (the SQL gateway). */
    public static Path flinkOpt() {
        return existing("e2e.flink.opt", "mvn -pl e2e-tests -am verify");
    }

    /**
     * {@code target/flink-plugins}: the cluster's {@code plugins/}, one directory per plugin
     * ({@code s3-fs-hadoop/flink-s3-fs-hadoop-<version>.jar}), as in a distribution.
     */
    public static Path flinkPlugins() {
        return existing("e2e.flink.plugins", "mvn -pl e2e-tests -am verify");
    }

    /** {@code target/s3mock/s3mock-<version>-exec.jar}: the S3-compatible server of the tests. */
    public static Path s3MockJar() {
        return existing("e2e.s3mock.jar", "mvn -pl e2e-tests -am verify");
    }

    /** {@code table-factory/target/flink-sql-connector-tiered-<version>.jar}. */
    public static Path connectorJar() {
        return existing("e2e.connector.jar", "mvn -pl table-factory,e2e-tests -am verify");
    }

    /** {@code target/tiered-e2e-tests-<version>-job.jar}: the DataStream job users submit. */
    public static Path jobJar() {
        return existing("e2e.job.jar", "mvn -pl e2e-tests -am verify");
    }

    /** {@code target/e2e}: cluster directories (config, logs) and warehouses. */
    public static Path workDir() {
        return Paths.get(System.getProperty("e2e.work.dir", "target/e2e")).toAbsolutePath();
    }

    /** The Java 17 module flags every Flink JVM needs (the pom's {@code flink.jvm.flags}). */
    public static List<String> jvmFlags() {
        String flags = System.getProperty("e2e.jvm.flags", "").trim();
        return flags.isEmpty() ? List.of() : Arrays.asList(flags.split("\\s+"));
    }

    public static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The last {@code lines} lines of {@code file} under a header naming it. */
    public static String tail(Path file, int lines) {
        StringBuilder tail = new StringBuilder("\n===== ").append(file).append(" =====\n");
        if (!Files.exists(file)) {
            return tail.append("(missing)\n").toString();
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            all.subList(Math.max(0, all.size() - lines), all.size())
                    .forEach(line -> tail.append(line).append('\n'));
        } catch (IOException | UncheckedIOException e) {
            tail.append("(unreadable: ").append(e).append(")\n");
        }
        return tail.toString();
    }

    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            List<Path> all = new ArrayList<>(paths.toList());
            all.sort(Comparator.reverseOrder());
            for (Path path : all) {
                Files.delete(path);
            }
        }
    }

    private static Path existing(String property, String build) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Paths.get(value))) {
            throw new IllegalStateException(
                    "Cannot find '"
                            + property
                            + "' ("
                            + value
                            + "): run the e2e tests through Maven after packaging, e.g. "
                            + build);
        }
        return Paths.get(value).toAbsolutePath();
    }
}
