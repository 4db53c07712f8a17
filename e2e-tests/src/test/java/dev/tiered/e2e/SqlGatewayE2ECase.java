package dev.tiered.e2e;

import dev.tiered.e2e.cluster.FlinkClusterExtension;
import dev.tiered.e2e.cluster.SqlGatewayClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQL the way users send it to a cluster: through the SQL gateway's REST API, the gateway a JVM of
 * its own on the classpath of a distribution with our shaded jar in {@code flink/lib}, its
 * statements executed on a standalone cluster. A smoke test of the deployment: the tiered SQL
 * surface itself (INSERT, SELECT, CALL on tiered tables) is not part of this release yet.
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
}
