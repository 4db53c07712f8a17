package dev.tiered.table;

import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.Jobs;
import dev.tiered.table.testing.Sql;
import dev.tiered.table.testing.SqlEnvironments;
import dev.tiered.table.testing.TableReads;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sys.flush_table} while a streaming job writes the table: the flush commits beside the
 * job's commits, the job keeps committing, and the table reads every committed row once.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FlushBesideRunningJobITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @TempDir File warehouseDir;

    @Test
    void flushTableCommitsBesideARunningWriter() throws Exception {
        String warehouse = SqlEnvironments.uri(warehouseDir);
        TableEnvironment admin = SqlEnvironments.withCatalog(warehouse);
        Sql.run(admin, "CREATE DATABASE chat");
        // No FLUSH_POLICY: the job itself never flushes, only the procedure does.
        Sql.run(
                admin,
                "CREATE TABLE chat.messages (id BIGINT, user_id STRING, content STRING,"
                        + " PRIMARY KEY (id) NOT ENFORCED) WITH ('TYPE' = 'USER')");

        TableEnvironment streaming = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        streaming.getConfig().set("parallelism.default", "2");
        streaming.getConfig().set("execution.checkpointing.interval", "100ms");
        Sql.run(
                streaming,
                "CREATE CATALOG tiered WITH ('type' = 'tiered', 'warehouse' = '"
                        + warehouse
                        + "')");
        Sql.run(
                streaming,
                "CREATE TEMPORARY TABLE gen (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'rows-per-second' = '500', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '1', 'fields.id.end' = '200000')");
        TableResult insert =
                streaming.executeSql(
                        "INSERT INTO tiered.chat.messages SELECT id, CONCAT('user', CAST(id % 3"
                                + " AS STRING)), CONCAT('m', CAST(id AS STRING)) FROM gen");
        JobClient job = insert.getJobClient().orElseThrow();
        try {
            TieredTable table = TableReads.open(warehouse, "chat", "messages");
            CommonTestUtils.waitUntilCondition(
                    () -> running(job) && table.latestState().hotSegments().size() >= 3, 50L);

            List<Row> flushed = Sql.run(admin, "CALL tiered.sys.flush_table('chat.messages')");
            assertThat(flushed).isNotEmpty();
            assertThat(flushed)
                    .allSatisfy(r -> assertThat((Long) r.getField("commit_id")).isPositive());
            long flushCommit =
                    flushed.stream().mapToLong(r -> (Long) r.getField("commit_id")).max().orElse(0);
            Map<String, List<String>> atFlush = TableReads.rows(warehouse, "chat", "messages");

            // The job keeps committing after the flush, and is still running.
            CommonTestUtils.waitUntilCondition(
                    () -> running(job) && table.latestState().commit() >= flushCommit + 3, 50L);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            TableState state = table.latestState();
            Map<String, List<String>> later = TableReads.rows(warehouse, "chat", "messages");
            assertThat(later.keySet()).containsAll(atFlush.keySet());
            assertThat(later.size()).isGreaterThan(atFlush.size());
            later.forEach(
                    (id, row) -> {
                        long key = Long.parseLong(id);
                        assertThat(row).containsExactly(id, "user" + (key % 3), "m" + id);
                    });
            assertThat(state.scopeIds()).as("the flush wrote batches").isNotEmpty();
        } finally {
            Jobs.cancelAndWait(job);
        }
    }

    /** Whether the job still runs; a job that ended fails the test with its failure. */
    private static boolean running(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get();
        if (status.isTerminalState()) {
            job.getJobExecutionResult().get();
            throw new AssertionError("The writing job ended: " + status);
        }
        return true;
    }
}
