package dev.tiered.sink.testing;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;

import java.util.concurrent.TimeUnit;

import static org.apache.flink.runtime.testutils.CommonTestUtils.waitUntilCondition;

/** Waiting for a running job's checkpoints on a MiniCluster. */
public final class Checkpoints {
    private Checkpoints() {}

    /** Waits until {@code more} checkpoints of {@code job} completed after now. */
    public static void waitForMore(MiniCluster cluster, JobID job, int more) throws Exception {
        long target = completed(cluster, job) + more;
        waitUntilCondition(() -> completed(cluster, job) >= target, 50L);
    }

    public static long completed(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getExecutionGraph(job)
                .get(10, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }
}
