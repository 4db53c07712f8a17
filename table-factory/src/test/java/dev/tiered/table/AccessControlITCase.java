package dev.tiered.table;

import dev.tiered.table.testing.Sql;
import dev.tiered.table.testing.SqlEnvironments;
import dev.tiered.table.testing.TableReads;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DESIGN §6 sessions in the sink, the source, procedures and system tables. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AccessControlITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir File warehouseDir;
    String warehouse;
    TableEnvironment admin;

    @BeforeEach
    void createTables() throws Exception {
        warehouse = SqlEnvironments.uri(warehouseDir);
        admin = SqlEnvironments.withCatalog(warehouse);
        SqlEnvironments.createSeedTables(admin, "");
        Sql.run(
                admin,
                "CREATE TABLE app.secrets (name STRING, `value` STRING, PRIMARY KEY (name) NOT"
                        + " ENFORCED)");
        Sql.run(
                admin,
                "CREATE TABLE app.dba_notes (name STRING, `value` STRING, PRIMARY KEY (name) NOT"
                        + " ENFORCED) WITH ('ACCESS_LEVEL' = 'DBA')");
        Sql.run(
                admin,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'bob', 10, 'bob''s')");
    }

    private TableEnvironment session(String user, String role) throws Exception {
        TableEnvironment env = SqlEnvironments.withCatalog(warehouse);
        if (user != null) {
            Sql.run(env, "SET 'tiered.session.user' = '" + user + "'");
        }
        if (role != null) {
            Sql.run(env, "SET 'tiered.session.role' = '" + role + "'");
        }
        return env;
    }

    @Test
    void aUserWritesOnlyItsOwnRows() throws Exception {
        TableEnvironment alice = session("alice", null);
        Sql.run(
                alice,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (2, 'alice', 10, 'mine')");
        assertThat(TableReads.rows(warehouse, "chat", "messages")).containsOnlyKeys("1", "2");

        assertThatThrownBy(
                        () ->
                                Sql.run(
                                        alice,
                                        "INSERT INTO chat.messages (id, user_id, conversation_id,"
                                                + " content) VALUES (3, 'alice', 10, 'ok'),"
                                                + " (1, 'bob', 10, 'overwrite bob')"))
                .rootCause()
                .hasMessage(
                        "Access denied: user 'alice' cannot write rows of user 'bob' to"
                                + " chat.messages");
        assertThat(TableReads.rows(warehouse, "chat", "messages").get("1").get(3))
                .isEqualTo("bob's");

        assertThatThrownBy(() -> Sql.run(alice, "INSERT INTO app.config VALUES ('a', 'b')"))
                .rootCause()
                .hasMessage("Access denied: user 'alice' cannot write shared table app.config");
        // STREAM tables are open to users.
        Sql.run(alice, "INSERT INTO chat.typing_events VALUES (7, 'alice', 10)");
        assertThat(TableReads.rows(warehouse, "chat", "typing_events")).containsOnlyKeys("7");
    }

    @Test
    void aUserReadsOnlyPublicSharedTablesAndNoSystemTables() throws Exception {
        TableEnvironment alice = session("alice", "user");
        assertThatThrownBy(() -> Sql.run(alice, "SELECT * FROM app.secrets"))
                .rootCause()
                .hasMessage(
                        "Access denied: user 'alice' cannot read PRIVATE shared table app.secrets");
        Sql.run(admin, "INSERT INTO app.config VALUES ('theme', 'dark')");
        assertThat(Sql.run(alice, "SELECT name, `value` FROM app.config"))
                .extracting(Row::toString)
                .containsExactly("+I[theme, dark]");
        assertThatThrownBy(() -> Sql.run(alice, "SELECT * FROM tiered.`system`.`tables`"))
                .rootCause()
                .hasMessage("Access denied: user 'alice' cannot read system table system.tables");
        assertThatThrownBy(() -> Sql.run(alice, "SELECT * FROM chat.`messages$files`"))
                .rootCause()
                .hasMessage(
                        "Access denied: user 'alice' cannot read system table `messages$files`");
    }

    @Test
    void aUserReadsOnlyItsOwnRowsAndAServiceSessionReadsAll() throws Exception {
        Sql.run(
                admin,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (2, 'alice', 10, 'alice''s'), (3, 'carol', 11, 'carol''s')");
        Sql.run(admin, "INSERT INTO app.secrets VALUES ('k', 'v')");
        TableEnvironment alice = session("alice", null);
        assertThat(Sql.run(alice, "SELECT id, user_id, content FROM chat.messages"))
                .extracting(Row::toString)
                .containsExactly("+I[2, alice, alice's]");
        assertThat(Sql.run(alice, "SELECT id FROM chat.messages WHERE user_id = 'alice'"))
                .extracting(Row::toString)
                .containsExactly("+I[2]");
        assertThatThrownBy(
                        () -> Sql.run(alice, "SELECT id FROM chat.messages WHERE user_id = 'bob'"))
                // Thrown while the query is planned.
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage(
                        "Access denied: user 'alice' cannot read rows of user 'bob' in"
                                + " chat.messages");
        // A lookup join of alice finds only her rows, whatever key the probe asks for.
        assertThat(
                        Sql.run(
                                alice,
                                "SELECT p.id, m.content FROM (SELECT id, PROCTIME() AS pt FROM"
                                        + " (VALUES (CAST(1 AS BIGINT)), (CAST(2 AS BIGINT))) AS"
                                        + " t(id)) AS p JOIN chat.messages FOR SYSTEM_TIME AS OF"
                                        + " p.pt AS m ON m.id = p.id"))
                .extracting(Row::toString)
                .containsExactly("+I[2, alice's]");
        assertThatThrownBy(() -> Sql.run(alice, "SELECT * FROM app.secrets"))
                .rootCause()
                .hasMessage(
                        "Access denied: user 'alice' cannot read PRIVATE shared table app.secrets");

        TableEnvironment service = session("svc", "service");
        assertThat(Sql.run(service, "SELECT id FROM chat.messages WHERE user_id = 'bob'"))
                .extracting(Row::toString)
                .containsExactly("+I[1]");
        assertThat(Sql.run(service, "SELECT id FROM chat.messages"))
                .extracting(Row::toString)
                .containsExactlyInAnyOrder("+I[1]", "+I[2]", "+I[3]");
        assertThat(Sql.run(service, "SELECT * FROM app.secrets"))
                .extracting(Row::toString)
                .containsExactly("+I[k, v]");
    }

    @Test
    void proceduresNeedAServiceSession() throws Exception {
        TableEnvironment alice = session("alice", null);
        for (String call :
                new String[] {
                    "CALL tiered.sys.flush_table('chat.messages')",
                    "CALL tiered.sys.erase_user('alice')",
                    "CALL tiered.sys.check_storage('local')"
                }) {
            String name = call.substring("CALL tiered.".length(), call.indexOf('('));
            assertThatThrownBy(() -> Sql.run(alice, call))
                    .as(call)
                    .rootCause()
                    .hasMessage(
                            "Access denied: user 'alice' cannot call "
                                    + name
                                    + " (needs role service, dba or system)");
        }
        TableEnvironment service = session("svc", "service");
        assertThat(Sql.run(service, "CALL tiered.sys.check_storage('local')"))
                .allSatisfy(r -> assertThat(r.getField("status")).isEqualTo("healthy"));
        assertThat(Sql.run(service, "SELECT table_id FROM tiered.`system`.`tables`"))
                .extracting(r -> r.getField(0))
                .contains("chat.messages", "app.secrets");
    }

    @Test
    void serviceSessionsStopAtDbaTablesAndRolesAreChecked() throws Exception {
        TableEnvironment service = session(null, "service");
        assertThatThrownBy(() -> Sql.run(service, "SELECT * FROM app.dba_notes"))
                .rootCause()
                .hasMessage(
                        "Access denied: service session cannot read DBA shared table app.dba_notes");
        assertThatThrownBy(() -> Sql.run(service, "INSERT INTO app.dba_notes VALUES ('a', 'b')"))
                .rootCause()
                .hasMessage(
                        "Access denied: service session cannot write DBA shared table"
                                + " app.dba_notes");
        Sql.run(service, "INSERT INTO app.secrets VALUES ('k', 'v')");
        assertThat(TableReads.rows(warehouse, "app", "secrets")).containsOnlyKeys("k");

        TableEnvironment dba = session(null, "dba");
        Sql.run(dba, "INSERT INTO app.dba_notes VALUES ('a', 'b')");
        assertThat(TableReads.rows(warehouse, "app", "dba_notes")).containsOnlyKeys("a");

        TableEnvironment wrong = session("alice", "admin");
        assertThatThrownBy(
                        () -> Sql.run(wrong, "INSERT INTO chat.typing_events VALUES (1, 'a', 1)"))
                .rootCause()
                .hasMessage(
                        "Invalid tiered.session.role 'admin'. Supported: user, service, dba,"
                                + " system");
        TableEnvironment nobody = session(null, "user");
        assertThatThrownBy(
                        () -> Sql.run(nobody, "INSERT INTO chat.typing_events VALUES (1, 'a', 1)"))
                .rootCause()
                .hasMessage("Cannot use session role 'user' without 'tiered.session.user'");
    }
}
