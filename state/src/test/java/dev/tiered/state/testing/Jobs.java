package dev.tiered.state.testing;

import org.apache.flink.core.execution.JobClient;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Job control for integration tests. */
public final class Jobs {
    private Jobs() {}

    /**
     * Cancels the job and waits until it is globally terminal: {@code cancel()} completes when the
     * request is acknowledged, while tasks may still be closing (a sink deleting its unfinished hot
     * segment), and a test's temporary warehouse must not be deleted under them.
     */
    public static void cancelAndWait(JobClient job) throws Exception {
        job.cancel().get();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Job " + job.getJobID() + " did not end after cancel");
            }
            Thread.sleep(20);
        }
    }
}
