package dev.tiered.e2e;

import dev.tiered.e2e.cluster.FlinkCluster;
import dev.tiered.e2e.cluster.FlinkClusterExtension;
import dev.tiered.e2e.cluster.FlinkRestClient;
import dev.tiered.e2e.cluster.SqlGatewayClient;
import dev.tiered.e2e.cluster.Waits;
import dev.tiered.e2e.s3.S3ServerExtension;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tiered catalog with its warehouse on S3, through the SQL gateway of a standalone cluster: the
 * catalog's DDL, CALLs and planning run in the gateway JVM, the INSERT and SELECT jobs on the
 * TaskManagers; both reach {@code s3://} through {@code plugins/s3-fs-hadoop} and commit with
 * conditional puts configured from the same {@code config.yaml}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3SqlGatewayE2ECase {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
    private static final String BUCKET = "warehouse";
    private static final String WAREHOUSE = "s3://" + BUCKET + "/sql";

    @RegisterExtension
    @Order(1)
    static final S3ServerExtension S3 = new S3ServerExtension("s3-sql-gateway", BUCKET);

    @RegisterExtension
    @Order(2)
    static final FlinkClusterExtension FLINK =
            new FlinkClusterExtension("s3-sql-gateway-cluster", 1, 2, S3.flinkConfig());

    private static SqlGatewayClient gateway;

    @BeforeAll
    static void startGateway() throws Exception {
        gateway = FLINK.cluster().startSqlGateway();
    }

    @Test
    @Order(1)
    void tieredCatalogOnS3IsWrittenFlushedAndRead() throws Exception {
        String session = openCatalogSession();
        gateway.execute(session, "CREATE DATABASE chat");
        gateway.execute(
                session,
                "CREATE TABLE chat.messages (id BIGINT, user_id STRING, conversation_id BIGINT,"
                        + " content STRING, created_at TIMESTAMP(3),"
                        + " PRIMARY KEY (id) NOT ENFORCED)"
                        + " WITH ('TYPE' = 'USER', 'FLUSH_POLICY' = 'rows:1000,interval:60',"
                        + " 'sink.flush-on-end-of-input' = 'false')");
        gateway.execute(session, "SET 'execution.runtime-mode' = 'batch'");
        gateway.execute(session, "SET 'table.dml-sync' = 'true'");
        gateway.execute(
                session,
                "INSERT INTO chat.messages VALUES"
                        + " (1, 'alice', 1, 'hi', TIMESTAMP '2026-01-01 10:00:00'),"
                        + " (2, 'bob', 1, 'hello', TIMESTAMP '2026-01-01 10:00:01'),"
                        + " (3, 'alice', 2, 'again', TIMESTAMP '2026-01-01 10:00:02')");

        TieredTable table = table();
        TableState afterInsert = table.latestState();
        assertThat(afterInsert.hotSegments()).as("the INSERT left its rows hot").isNotEmpty();

        List<List<String>> flushed =
                gateway.execute(session, "CALL tiered.sys.flush_table('chat.messages')");
        assertThat(flushed).isNotEmpty();

        TableState afterFlush = table.latestState();
        assertThat(afterFlush.commit()).isGreaterThan(afterInsert.commit());
        assertThat(afterFlush.hotSegments()).as("flushed to Parquet on S3").isEmpty();
        TableFileIO io = io();
        for (String user : List.of("alice", "bob")) {
            Path scope = new Path(WAREHOUSE + "/chat/messages/" + user);
            assertThat(io.list(scope)).as(user).contains("manifest.json");
            assertThat(table.manifest(afterFlush, ScopeId.user(user)).segments()).hasSize(1);
        }
        List<String> operations = new ArrayList<>();
        for (long commit = 1; commit <= afterFlush.commit(); commit++) {
            CommitRecord record = table.log().read(commit);
            operations.add(record.operation());
        }
        assertThat(operations).as("one commit file per commit").contains("flush");

        assertThat(countsByUser(session))
                .containsExactly(List.of("alice", "2"), List.of("bob", "1"));
    }

    @Test
    @Order(2)
    void anotherSessionsCatalogSeesTheTablesInTheWarehouse() throws Exception {
        String writer = openCatalogSession();
        gateway.execute(writer, "CREATE DATABASE shop");
        gateway.execute(
                writer,
                "CREATE TABLE shop.orders (id BIGINT, item STRING, PRIMARY KEY (id) NOT ENFORCED)"
                        + " WITH ('TYPE' = 'SHARED')");
        gateway.execute(writer, "SET 'execution.runtime-mode' = 'batch'");
        gateway.execute(writer, "SET 'table.dml-sync' = 'true'");
        gateway.execute(writer, "INSERT INTO shop.orders VALUES (1, 'tea'), (2, 'cake')");

        String reader = openCatalogSession();
        gateway.execute(reader, "SET 'execution.runtime-mode' = 'batch'");

        assertThat(gateway.execute(reader, "SHOW TABLES IN shop"))
                .containsExactly(List.of("orders"));
        assertThat(gateway.execute(reader, "SELECT item FROM shop.orders ORDER BY id"))
                .containsExactly(List.of("tea"), List.of("cake"));
    }

    /**
     * A streaming INSERT with checkpointing, its only TaskManager killed with SIGKILL mid-run and
     * replaced: the job restores from its last checkpoint and the table ends with every key once,
     * each writer checkpoint committed once (DESIGN §10, invariant 1, on S3 through SQL).
     */
    @Test
    @Order(3)
    void streamingInsertSurvivesAKilledTaskManagerExactlyOnce() throws Exception {
        long keys = 4_000;
        FlinkCluster cluster = FLINK.cluster();
        FlinkRestClient rest = cluster.rest();
        String session = gateway.openSession();
        // Rate-limited, so the job spans many checkpoints however fast the machine is.
        gateway.execute(
                session,
                "CREATE TEMPORARY TABLE gen_keys (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'rows-per-second' = '100', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '0', 'fields.id.end' = '"
                        + (keys - 1)
                        + "')");
        gateway.execute(
                session,
                "CREATE CATALOG tiered WITH ('type' = 'tiered', 'warehouse' = '"
                        + WAREHOUSE
                        + "')");
        gateway.execute(session, "CREATE DATABASE tiered.live");
        gateway.execute(
                session,
                "CREATE TABLE tiered.live.events (id BIGINT, user_id STRING, content STRING,"
                        + " PRIMARY KEY (id) NOT ENFORCED)"
                        + " WITH ('TYPE' = 'USER', 'FLUSH_POLICY' = 'rows:200')");
        gateway.execute(session, "SET 'execution.runtime-mode' = 'streaming'");
        gateway.execute(session, "SET 'execution.checkpointing.interval' = '500 ms'");
        gateway.execute(session, "SET 'table.dml-sync' = 'false'");
        List<List<String>> submitted =
                gateway.execute(
                        session,
                        "INSERT INTO tiered.live.events SELECT id, 'user' || CAST(id % 5 AS"
                                + " STRING), 'c' || CAST(id AS STRING) FROM gen_keys");
        String jobId = submitted.get(0).get(0);

        Waits.until(
                "3 completed checkpoints and a commit",
                JOB_TIMEOUT,
                () ->
                        running(rest, jobId)
                                && rest.checkpointCounts(jobId).path("completed").asInt() >= 3
                                && commits("live", "events") >= 2);
        long commitsBeforeKill = commits("live", "events");
        assertThat(rest.jobState(jobId)).isEqualTo("RUNNING");

        cluster.killTaskManager(0);
        cluster.startTaskManager();
        Waits.until(
                "job restored from a checkpoint and running",
                JOB_TIMEOUT,
                () ->
                        rest.checkpointCounts(jobId).path("restored").asInt() >= 1
                                && running(rest, jobId));
        Waits.until(
                "job " + jobId + " FINISHED",
                JOB_TIMEOUT,
                () -> {
                    failIfFailed(rest, jobId);
                    return rest.jobState(jobId).equals("FINISHED");
                });
        System.out.printf(
                "streaming INSERT: killed the taskmanager after %d commits; restored %d time(s)%n",
                commitsBeforeKill, rest.checkpointCounts(jobId).path("restored").asInt());

        gateway.execute(session, "SET 'execution.runtime-mode' = 'batch'");
        assertThat(
                        gateway.execute(
                                session,
                                "SELECT COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id), SUM(id),"
                                        + " COUNT(DISTINCT user_id),"
                                        + " SUM(CASE WHEN content = 'c' || CAST(id AS STRING)"
                                        + " THEN 1 ELSE 0 END)"
                                        + " FROM tiered.live.events"))
                .containsExactly(
                        List.of(
                                Long.toString(keys),
                                Long.toString(keys),
                                "0",
                                Long.toString(keys - 1),
                                Long.toString(keys * (keys - 1) / 2),
                                "5",
                                Long.toString(keys)));
        TieredTable table = TieredTable.open(io(), new Path(WAREHOUSE), "live", "events");
        TableState state = table.latestState();
        assertThat(commitsBeforeKill).as("the kill came mid-run").isLessThan(state.commit());
        assertThat(state.hotSegments()).as("everything flushed at end of input").isEmpty();
        List<String> committed = new ArrayList<>();
        for (long commit = 1; commit <= state.commit(); commit++) {
            CommitRecord record = table.log().read(commit);
            committed.add(record.writerId() + "@" + record.checkpointId());
        }
        assertThat(committed).as("each writer's checkpoint committed once").doesNotHaveDuplicates();
    }

    private static boolean running(FlinkRestClient rest, String jobId) throws Exception {
        failIfFailed(rest, jobId);
        return rest.allTasksRunning(jobId);
    }

    private static void failIfFailed(FlinkRestClient rest, String jobId) throws Exception {
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
        FLINK.cluster().assertAlive();
        S3.server().assertAlive();
    }

    /** The latest commit of a table; 0 while it has none. */
    private static long commits(String namespace, String name) {
        try {
            return TieredTable.open(io(), new Path(WAREHOUSE), namespace, name)
                    .latestState()
                    .commit();
        } catch (IOException | RuntimeException notYet) {
            return 0;
        }
    }

    private static String openCatalogSession() throws Exception {
        String session = gateway.openSession();
        gateway.execute(
                session,
                "CREATE CATALOG tiered WITH ('type' = 'tiered', 'warehouse' = '"
                        + WAREHOUSE
                        + "')");
        gateway.execute(session, "USE CATALOG tiered");
        return session;
    }

    private static List<List<String>> countsByUser(String session) throws Exception {
        return gateway.execute(
                session,
                "SELECT user_id, COUNT(*) FROM chat.messages GROUP BY user_id ORDER BY user_id");
    }

    private static TableFileIO io() {
        return new FlinkFileIO(S3.server().flinkConfiguration());
    }

    private static TieredTable table() throws Exception {
        return TieredTable.open(io(), new Path(WAREHOUSE), "chat", "messages");
    }
}
