package dev.tiered.e2e.cluster;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.util.Map;

/**
 * One {@link FlinkCluster} per test class ({@code @RegisterExtension static}): started before the
 * first test, stopped after the last; jobs a test leaves running are cancelled after it. When a
 * test or the start-up fails, the tails of every JVM's log are attached to the failure (so they are
 * in the failsafe report), and the full logs stay under {@code target/e2e/<name>}.
 */
public final class FlinkClusterExtension
        implements BeforeAllCallback,
                AfterAllCallback,
                AfterEachCallback,
                TestExecutionExceptionHandler,
                LifecycleMethodExecutionExceptionHandler {
    private static final int TAIL_LINES = 60;

    private final String name;
    private final int taskManagers;
    private final int slotsPerTaskManager;
    private final Map<String, String> config;
    private FlinkCluster cluster;

    public FlinkClusterExtension(
            String name, int taskManagers, int slotsPerTaskManager, Map<String, String> config) {
        this.name = name;
        this.taskManagers = taskManagers;
        this.slotsPerTaskManager = slotsPerTaskManager;
        this.config = Map.copyOf(config);
    }

    public FlinkCluster cluster() {
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = FlinkCluster.create(name, slotsPerTaskManager, config);
        long started = System.nanoTime();
        try {
            cluster.start(taskManagers);
        } catch (Exception e) {
            throw (Exception) withLogs(e);
        }
        System.out.printf(
                "%s up with %d taskmanagers in %d s%n",
                cluster, taskManagers, (System.nanoTime() - started) / 1_000_000_000L);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (String[] job : cluster.rest().jobs()) {
            if (!job[1].equals("FINISHED")
                    && !job[1].equals("FAILED")
                    && !job[1].equals("CANCELED")) {
                cluster.rest().cancel(job[0]);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        throw withLogs(throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(
            ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(throwable);
    }

    private Throwable withLogs(Throwable throwable) {
        if (cluster != null) {
            String tails = cluster.logTails(TAIL_LINES);
            System.out.println("Cluster logs (" + cluster.directory() + "):" + tails);
            throwable.addSuppressed(new ClusterLogs(cluster.directory() + tails));
        }
        return throwable;
    }

    /** Carries the log tails into the failure's stack trace. */
    private static final class ClusterLogs extends Exception {
        private static final long serialVersionUID = 1L;

        ClusterLogs(String message) {
            super(message, null, false, false);
        }
    }
}
