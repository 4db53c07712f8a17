package dev.tiered.e2e.s3;

import dev.tiered.e2e.cluster.E2eFiles;
import dev.tiered.e2e.cluster.Waits;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for the tests: Adobe S3Mock, its Spring Boot jar from Maven Central
 * ({@code target/s3mock}) started as a JVM of its own on a free loopback port, with its buckets
 * created at start-up and its objects under the server's directory in {@code target/e2e}, where its
 * log stays too.
 *
 * <p>The server handles <b>one request at a time</b> ({@code server.tomcat.threads.max=1}, on a
 * plain-HTTP main connector): S3Mock checks {@code If-None-Match} and then writes, without a lock,
 * so two concurrent conditional puts of one key can both succeed there (measured with 4.12.4 and
 * 5.2.0: 40 keys × 2 concurrent puts gave 47 × 200). Amazon S3 makes that check and the write one
 * atomic step; serializing the requests gives the test server the same guarantee, and {@link
 * #assertConditionalPutIsAtomic} checks that it holds before a test relies on it. A request whose
 * client died mid-body holds that one thread for at most 5 s (Tomcat's connection timeout, 60 s by
 * default).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "tiered-e2e";
    public static final String SECRET_KEY = "tiered-e2e-secret";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final int RACE_KEYS = 20;
    private static final int RACERS = 4;

    private final String name;
    private final Path dir;
    private final List<String> buckets;
    private final int port;
    private final Thread shutdownHook = new Thread(this::destroy, "s3-server-reaper");
    private Process process;

    private S3Server(String name, List<String> buckets, int port) {
        this.name = name;
        this.dir = E2eFiles.workDir().resolve(name);
        this.buckets = List.copyOf(buckets);
        this.port = port;
    }

    /** A server named {@code name} (its directory under {@code target/e2e}); its port is chosen. */
    public static S3Server create(String name, String... buckets) {
        try {
            return new S3Server(name, List.of(buckets), freePort());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot choose a port for " + name, e);
        }
    }

    /** Starts the server and waits until it lists its buckets. */
    public void start() throws Exception {
        E2eFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>();
        command.add(E2eFiles.javaExecutable());
        command.addAll(List.of("-Xms128m", "-Xmx384m", "-jar", E2eFiles.s3MockJar().toString()));
        command.add("--server.port=" + port);
        command.add("--server.address=127.0.0.1");
        command.add("--server.ssl.enabled=false");
        command.add("--server.tomcat.threads.max=1");
        command.add("--server.tomcat.threads.min-spare=1");
        // The one thread reads a request body until this timeout: a client killed mid-upload (the
        // TaskManager the e2e tests kill) held it for Tomcat's default 60 s per request, long
        // enough for every other client's retries to give up.
        command.add("--server.tomcat.connection-timeout=5s");
        // S3Mock's own second (plain HTTP) connector: on any free port, unused.
        command.add("--com.adobe.testing.s3mock.http-port=0");
        command.add("--com.adobe.testing.s3mock.store.root=" + dir.resolve("store"));
        command.add(
                "--com.adobe.testing.s3mock.store.initial-buckets=" + String.join(",", buckets));
        command.add("--logging.file.name=" + log());
        Files.writeString(dir.resolve("s3mock.cmd"), String.join(" ", command));
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(out().toFile())
                        .start();
        Waits.until(
                name + " answering at " + endpoint(),
                START_TIMEOUT,
                () -> {
                    assertAlive();
                    return listsBuckets();
                });
        assertConditionalPutIsAtomic();
    }

    /**
     * Races {@value #RACERS} conditional puts ({@code If-None-Match: *}) on each of {@value
     * #RACE_KEYS} fresh keys and fails unless exactly one per key succeeded and the others got 412:
     * the guarantee of S3 that the commit protocol relies on, checked on this server.
     */
    public void assertConditionalPutIsAtomic() throws Exception {
        String prefix = "/" + buckets.get(0) + "/_harness/atomicity-check-" + System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        Map<Integer, Integer> statuses = new TreeMap<>();
        int created = 0;
        try {
            for (int key = 0; key < RACE_KEYS; key++) {
                String url = endpoint() + prefix + "/" + key;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> racers = new ArrayList<>();
                for (int r = 0; r < RACERS; r++) {
                    byte[] body = ("racer " + r).getBytes(StandardCharsets.UTF_8);
                    racers.add(
                            pool.submit(
                                    () -> {
                                        go.await();
                                        return request("PUT", url, body, true);
                                    }));
                }
                go.countDown();
                int winners = 0;
                for (Future<Integer> racer : racers) {
                    int status = racer.get(1, TimeUnit.MINUTES);
                    statuses.merge(status, 1, Integer::sum);
                    winners += status == 200 ? 1 : 0;
                }
                if (winners != 1) {
                    throw new IllegalStateException(
                            "Cannot use "
                                    + name
                                    + " for commits: "
                                    + winners
                                    + " of "
                                    + RACERS
                                    + " concurrent conditional puts of "
                                    + url
                                    + " succeeded (statuses so far: "
                                    + statuses
                                    + ")");
                }
                created++;
                request("DELETE", url, null, false);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(
                "%s: conditional puts atomic on %d keys (statuses %s)%n", this, created, statuses);
    }

    private static int request(String method, String url, byte[] body, boolean ifNoneMatch)
            throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(30_000);
        connection.setRequestMethod(method);
        if (ifNoneMatch) {
            connection.setRequestProperty("If-None-Match", "*");
        }
        try {
            if (body != null) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = connection.getResponseCode();
            try (InputStream in =
                    status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            return status;
        } finally {
            connection.disconnect();
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The keys a Flink {@code config.yaml} needs for {@code flink-s3-fs-hadoop} (and the
     * connector's commit point, which reads the same keys) to use this server.
     */
    public Map<String, String> flinkConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("s3.endpoint", endpoint());
        config.put("s3.endpoint.region", "us-east-1");
        config.put("s3.path.style.access", "true");
        config.put("s3.access-key", ACCESS_KEY);
        config.put("s3.secret-key", SECRET_KEY);
        // Make a sync() on an S3 stream an error instead of a logged warning: nothing may rely on
        // it there (an object is durable when its stream is closed).
        config.put("s3.downgrade.syncable.exceptions", "false");
        return config;
    }

    /** {@link #flinkConfig()} as a Flink {@link Configuration}. */
    public Configuration flinkConfiguration() {
        Configuration configuration = new Configuration();
        flinkConfig().forEach(configuration::setString);
        return configuration;
    }

    /**
     * Lets this JVM (the test's) read and write {@code s3://} as a TaskManager does: Flink's file
     * systems initialized with {@link #flinkConfiguration()} and the plugins of {@code
     * target/flink-plugins}, each in its own class loader.
     */
    public void initializeFlinkFileSystems() throws IOException {
        Configuration configuration = flinkConfiguration();
        FileSystem.initialize(
                configuration,
                new DefaultPluginManager(
                        new DirectoryBasedPluginFinder(E2eFiles.flinkPlugins()).findPlugins(),
                        CoreOptions.getPluginParentFirstLoaderPatterns(configuration)));
    }

    /** Fails if the server has exited. */
    public void assertAlive() {
        if (process != null && !process.isAlive()) {
            throw new IllegalStateException(
                    "Cannot use "
                            + name
                            + ": it exited with "
                            + process.exitValue()
                            + "\n"
                            + logTails(60));
        }
    }

    /** The last lines of the server's log and stdout, for a failure report. */
    public String logTails(int lines) {
        return E2eFiles.tail(log(), lines) + E2eFiles.tail(out(), 20);
    }

    public Path directory() {
        return dir;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 30 s). Its log and objects stay. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
    }

    private void destroy() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private boolean listsBuckets() {
        try {
            HttpURLConnection connection =
                    (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            connection.setConnectTimeout(1_000);
            connection.setReadTimeout(5_000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    private Path log() {
        return dir.resolve("s3mock.log");
    }

    private Path out() {
        return dir.resolve("s3mock.out");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return "S3Server[" + name + ", " + endpoint() + ", buckets " + buckets + "]";
    }
}
