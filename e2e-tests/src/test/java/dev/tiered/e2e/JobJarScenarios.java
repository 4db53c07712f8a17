package dev.tiered.e2e;

import dev.tiered.e2e.cluster.E2eFiles;
import dev.tiered.e2e.cluster.FlinkCluster;
import dev.tiered.e2e.cluster.FlinkRestClient;
import dev.tiered.e2e.cluster.Waits;
import dev.tiered.e2e.jobs.ChatChangelogJob;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.TableRows;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connector deployed the way users deploy it: a standalone cluster (one JobManager, two
 * TaskManagers with one slot each, separate JVMs) with our shaded jar in {@code flink/lib}, and a
 * DataStream job jar submitted through the REST API ({@code /jars/upload}, {@code /jars/:id/run})
 * that writes a chat changelog into a USER table. The table must end with every change exactly once
 * (DESIGN §10, invariant 1) — also after a TaskManager running the job is killed with SIGKILL
 * mid-run and replaced by a new one.
 *
 * <p>The scenarios, over a warehouse each subclass provides: {@link JobJarE2ECase} on local disk,
 * {@link S3JobJarE2ECase} on S3.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class JobJarScenarios {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
    private static final int PARALLELISM = 2;

    /** A warehouse of one test: the base URI the job gets, and how the test reads it. */
    record Warehouse(String uri, TableFileIO io) {}

    /** The cluster of the test class. */
    abstract FlinkCluster cluster();

    /** A new, empty warehouse named {@code name}. */
    abstract Warehouse warehouse(String name) throws IOException;

    /** Fails if the storage the warehouse lives on has gone. */
    void assertStorageAlive() {}

    @Test
    @Order(1)
    void jobJarSubmittedThroughRestWritesEveryChangeExactlyOnce() throws Exception {
        long keys = 2_000;
        Warehouse warehouse = warehouse("job-jar");
        FlinkRestClient rest = cluster().rest();

        String jobId = submit(rest, warehouse, List.of("--keys", Long.toString(keys)));
        awaitFinished(rest, jobId);

        assertTableHoldsEveryChangeOnce(warehouse, keys);
    }

    @Test
    @Order(2)
    void killedTaskManagerIsReplacedAndEveryChangeLandsExactlyOnce() throws Exception {
        long keys = 3_000;
        Warehouse warehouse = warehouse("tm-kill");
        java.nio.file.Path release = cluster().directory().resolve("tm-kill.release");
        Files.deleteIfExists(release);
        FlinkCluster cluster = cluster();
        FlinkRestClient rest = cluster.rest();

        // 20 keys per checkpoint and subtask until released: 75 checkpoints at least, so the
        // kill always lands mid-run, with committed and uncommitted changes on both sides.
        String jobId =
                submit(
                        rest,
                        warehouse,
                        List.of(
                                "--keys", Long.toString(keys),
                                "--per-checkpoint", "20",
                                "--release-file", release.toString()));
        Waits.until("job running", JOB_TIMEOUT, () -> running(rest, jobId));
        Waits.until(
                "3 completed checkpoints and a commit",
                JOB_TIMEOUT,
                () ->
                        rest.checkpointCounts(jobId).path("completed").asInt() >= 3
                                && committedRows(warehouse) > 0);
        int rowsBeforeKill = committedRows(warehouse);
        assertThat(rest.jobState(jobId)).isEqualTo("RUNNING");

        // Each TaskManager has one slot and the job two subtasks: both run part of the job, and
        // the job cannot run again until a new TaskManager has joined.
        cluster.killTaskManager(0);
        cluster.startTaskManager();
        Waits.until(
                "job restored from a checkpoint and running",
                JOB_TIMEOUT,
                () ->
                        rest.checkpointCounts(jobId).path("restored").asInt() >= 1
                                && running(rest, jobId));
        int completedAtRestore = rest.checkpointCounts(jobId).path("completed").asInt();
        Waits.until(
                "2 checkpoints after the restore",
                JOB_TIMEOUT,
                () ->
                        running(rest, jobId)
                                && rest.checkpointCounts(jobId).path("completed").asInt()
                                        >= completedAtRestore + 2);
        assertThat(rest.jobState(jobId)).as("still throttled, not finished").isEqualTo("RUNNING");

        System.out.printf(
                "killed taskmanager-0 with %d rows committed; restored %d time(s); %d checkpoints"
                        + " completed%n",
                rowsBeforeKill,
                rest.checkpointCounts(jobId).path("restored").asInt(),
                rest.checkpointCounts(jobId).path("completed").asInt());
        Files.createFile(release);
        awaitFinished(rest, jobId);

        assertThat(rowsBeforeKill)
                .as("the kill came after the first commits and before the last")
                .isPositive()
                .isLessThan(ChatChangelogJob.expected(keys).size());
        assertTableHoldsEveryChangeOnce(warehouse, keys);
    }

    private static String submit(FlinkRestClient rest, Warehouse warehouse, List<String> extraArgs)
            throws Exception {
        String jarId = rest.uploadJar(E2eFiles.jobJar());
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--warehouse", warehouse.uri()));
        args.addAll(List.of("--parallelism", Integer.toString(PARALLELISM)));
        args.addAll(extraArgs);
        return rest.runJar(jarId, ChatChangelogJob.class.getName(), args, PARALLELISM);
    }

    private boolean running(FlinkRestClient rest, String jobId) throws Exception {
        failIfTerminallyFailed(rest, jobId);
        return rest.allTasksRunning(jobId);
    }

    private void awaitFinished(FlinkRestClient rest, String jobId) throws Exception {
        Waits.until(
                "job " + jobId + " FINISHED",
                JOB_TIMEOUT,
                () -> {
                    failIfTerminallyFailed(rest, jobId);
                    return rest.jobState(jobId).equals("FINISHED");
                });
    }

    private void failIfTerminallyFailed(FlinkRestClient rest, String jobId) throws Exception {
        String state = rest.jobState(jobId);
        if (state.equals("FAILED") || state.equals("CANCELED")) {
            throw new AssertionError(
                    "Job "
                            + jobId
                            + " is "
                            + state
                            + ":\n"
                            + String.join("\n", rest.exceptions(jobId)));
        }
        cluster().assertAlive();
        assertStorageAlive();
    }

    /** Rows of the latest commit; 0 while the sink has not created the table yet. */
    private static int committedRows(Warehouse warehouse) throws IOException {
        TieredTable table;
        try {
            table = open(warehouse);
        } catch (IOException | RuntimeException notCreatedYet) {
            return 0;
        }
        return readAll(table, table.latestState()).size();
    }

    private static void assertTableHoldsEveryChangeOnce(Warehouse warehouse, long keys)
            throws IOException {
        TieredTable table = open(warehouse);
        TableState state = table.latestState();
        assertThat(readAll(table, state)).isEqualTo(ChatChangelogJob.expected(keys));
        assertThat(state.hotSegments()).as("everything flushed at end of input").isEmpty();
        List<String> committed = new ArrayList<>();
        for (long commit = 1; commit <= state.commit(); commit++) {
            CommitRecord record = table.log().read(commit);
            committed.add(record.writerId() + "@" + record.checkpointId());
        }
        assertThat(committed).as("each writer's checkpoint committed once").doesNotHaveDuplicates();
    }

    private static TieredTable open(Warehouse warehouse) throws IOException {
        return TieredTable.open(warehouse.io(), new Path(warehouse.uri()), "chat", "messages");
    }

    /** The table over both tiers, id to content; each row in its owner's scope, once. */
    private static Map<Long, String> readAll(TieredTable table, TableState state)
            throws IOException {
        Map<Long, String> rows = new TreeMap<>();
        TableRows.forEachRow(
                table,
                state,
                (scope, row) -> {
                    long id = row.getLong(0);
                    assertThat(row.getString(1).toString())
                            .as("owner of key %d", id)
                            .isEqualTo(scope.userId())
                            .isEqualTo(ChatChangelogJob.userOf(id));
                    String previous = rows.put(id, row.getString(3).toString());
                    assertThat(previous).as("key %d in one scope only", id).isNull();
                });
        return rows;
    }
}
