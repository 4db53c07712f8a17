package dev.tiered.e2e;

import dev.tiered.e2e.cluster.FlinkClusterExtension;
import dev.tiered.e2e.cluster.SqlGatewayClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQL the way users send it to a cluster: through the SQL gateway's REST API, the gateway a JVM of
 * its own on the classpath of a distribution with our shaded jar in {@code flink/lib}, its
 * statements executed on a standalone cluster: the deployment, and the tiered SQL surface through
 * it (catalog, DDL, INSERT, CALL, SELECT).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SqlGatewayE2ECase {
    @RegisterExtension
    static final FlinkClusterExtension FLINK =
            new FlinkClusterExtension("sql-gateway-cluster", 1, 2, Map.of());

    private static SqlGatewayClient gateway;

    @BeforeAll
    static void startGateway() throws Exception {
        gateway = FLINK.cluster().startSqlGateway();
    }

    @Test
    void batchQueryRunsOnTheClusterThroughTheGateway() throws Exception {
        String session = gateway.openSession();
        gateway.execute(session, "SET 'execution.runtime-mode' = 'batch'");

        List<List<String>> rows =
                gateway.execute(
                        session,
                        "SELECT SUM(x) FROM (VALUES (1), (2), (3), (4)) AS t(x) WHERE x > 1");

        assertThat(rows).containsExactly(List.of("9"));
        assertThat(FLINK.cluster().rest().jobs())
                .as("the query ran as a job on the cluster")
                .anyMatch(job -> job[1].equals("FINISHED"));
    }

    @Test
    void gatewayFindsTheTieredConnectorInFlinkLibAndValidatesItsOptions() throws Exception {
        String session = gateway.openSession();
        gateway.execute(
                session,
                "CREATE TABLE messages (id BIGINT, user_id STRING, content STRING,"
                        + " PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'tiered',"
                        + " 'path' = 'file:///tmp/never-written', 'TYPE' = 'USER',"
                        + " 'FLUSH_POLICY' = 'rows:0')");

        assertThatThrownBy(() -> gateway.execute(session, "SELECT * FROM messages"))
                .isInstanceOf(SqlGatewayClient.StatementFailedException.class)
                .hasMessageContaining("FLUSH_POLICY must specify 'rows' or 'interval' > 0");
    }

    @Test
    void tieredCatalogTablesAreWrittenFlushedAndReadOnTheCluster(@TempDir File warehouse)
            throws Exception {
        String session = gateway.openSession();
        gateway.execute(
                session,
                "CREATE CATALOG tiered WITH ('type' = 'tiered', 'warehouse' = '"
                        + warehouse.toURI()
                        + "')");
        gateway.execute(session, "USE CATALOG tiered");
        gateway.execute(session, "CREATE DATABASE chat");
        gateway.execute(
                session,
                "CREATE TABLE chat.messages (id BIGINT, user_id STRING, conversation_id BIGINT,"
                        + " content STRING, created_at TIMESTAMP(3),"
                        + " PRIMARY KEY (id) NOT ENFORCED)"
                        + " WITH ('TYPE' = 'USER', 'FLUSH_POLICY' = 'rows:1000,interval:60')");
        gateway.execute(session, "SET 'execution.runtime-mode' = 'batch'");
        gateway.execute(session, "SET 'table.dml-sync' = 'true'");
        gateway.execute(
                session,
                "INSERT INTO chat.messages VALUES"
                        + " (1, 'alice', 1, 'hi', TIMESTAMP '2026-01-01 10:00:00'),"
                        + " (2, 'bob', 1, 'hello', TIMESTAMP '2026-01-01 10:00:01'),"
                        + " (3, 'alice', 2, 'again', TIMESTAMP '2026-01-01 10:00:02')");
        assertThat(new File(warehouse, "chat/messages/alice")).isDirectory();

        List<List<String>> flushed =
                gateway.execute(session, "CALL tiered.sys.flush_table('chat.messages')");
        assertThat(flushed).isNotEmpty();

        List<List<String>> counts =
                gateway.execute(
                        session,
                        "SELECT user_id, COUNT(*) FROM chat.messages GROUP BY user_id"
                                + " ORDER BY user_id");
        assertThat(counts).containsExactly(List.of("alice", "2"), List.of("bob", "1"));
        assertThat(new File(warehouse, "chat/messages/alice/manifest.json")).isFile();

        // The seed's other two tables: config rows (SHARED, upserted) and typing events (STREAM).
        gateway.execute(session, "CREATE DATABASE app");
        gateway.execute(
                session,
                "CREATE TABLE app.config (name STRING, `value` STRING, PRIMARY KEY (name) NOT"
                        + " ENFORCED) WITH ('TYPE' = 'SHARED', 'ACCESS_LEVEL' = 'PUBLIC')");
        gateway.execute(
                session, "INSERT INTO app.config VALUES ('theme', 'light'), ('lang', 'en')");
        gateway.execute(session, "INSERT INTO app.config VALUES ('theme', 'dark')");
        assertThat(gateway.execute(session, "SELECT name, `value` FROM app.config ORDER BY name"))
                .containsExactly(List.of("lang", "en"), List.of("theme", "dark"));
        gateway.execute(
                session,
                "CREATE TABLE chat.typing_events (event_id BIGINT, user_id STRING,"
                        + " conversation_id BIGINT, PRIMARY KEY (event_id) NOT ENFORCED)"
                        + " WITH ('TYPE' = 'STREAM', 'TTL_SECONDS' = '30')");
        gateway.execute(
                session,
                "INSERT INTO chat.typing_events VALUES (100, 'alice', 1), (101, 'bob', 1)");
        assertThat(
                        gateway.execute(
                                session,
                                "SELECT event_id, user_id FROM chat.typing_events ORDER BY"
                                        + " event_id"))
                .containsExactly(List.of("100", "alice"), List.of("101", "bob"));
        assertThat(new File(warehouse, "chat/typing_events/manifest.json"))
                .as("STREAM tables are never flushed")
                .doesNotExist();
        assertThatThrownBy(
                        () ->
                                gateway.execute(
                                        session,
                                        "CALL tiered.sys.flush_table('chat.typing_events')"))
                .hasMessageContaining("STREAM table");
    }
}
