package dev.tiered.e2e.s3;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.util.Map;

/**
 * One {@link S3Server} per test class ({@code @RegisterExtension static}, declared before the
 * cluster that uses it, so that it starts first): its port is chosen when the extension is built,
 * so {@link #flinkConfig()} can go into the cluster's {@code config.yaml}. The test JVM's Flink
 * file systems are initialized for it ({@link S3Server#initializeFlinkFileSystems()}), so tests
 * read {@code s3://} as a TaskManager does. When a test fails, the tail of the server's log is
 * attached.
 */
public final class S3ServerExtension
        implements BeforeAllCallback,
                AfterAllCallback,
                TestExecutionExceptionHandler,
                LifecycleMethodExecutionExceptionHandler {
    private static final int TAIL_LINES = 40;

    private final S3Server server;

    public S3ServerExtension(String name, String... buckets) {
        this.server = S3Server.create(name, buckets);
    }

    public S3Server server() {
        return server;
    }

    /** The {@code s3.*} keys of a cluster's configuration for this server. */
    public Map<String, String> flinkConfig() {
        return server.flinkConfig();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        long started = System.nanoTime();
        try {
            server.start();
            server.initializeFlinkFileSystems();
        } catch (Exception e) {
            throw (Exception) withLog(e);
        }
        System.out.printf(
                "%s up in %d s%n", server, (System.nanoTime() - started) / 1_000_000_000L);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        throw withLog(throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(
            ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLog(throwable);
    }

    private Throwable withLog(Throwable throwable) {
        String tails = server.logTails(TAIL_LINES);
        System.out.println("S3 server log (" + server.directory() + "):" + tails);
        throwable.addSuppressed(new ServerLog(server.directory() + tails));
        return throwable;
    }

    /** Carries the log tail into the failure's stack trace. */
    private static final class ServerLog extends Exception {
        private static final long serialVersionUID = 1L;

        ServerLog(String message) {
            super(message, null, false, false);
        }
    }
}
