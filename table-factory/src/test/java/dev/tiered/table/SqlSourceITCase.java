package dev.tiered.table;

import dev.tiered.state.TieredTable;
import dev.tiered.table.testing.Sql;
import dev.tiered.table.testing.SqlEnvironments;
import dev.tiered.table.testing.TableReads;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SELECT from tiered tables (DESIGN §6): batch scans over both tiers, a streaming scan following
 * later commits, a lookup join following a change, and push-down — through the tiered catalog and
 * through the plain connector, with the seed's three tables.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SqlSourceITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    /** How the tables are reached. */
    enum Surface {
        CATALOG,
        CONNECTOR
    }

    @TempDir File storageDir;
    String storage;
    boolean seeded;

    @BeforeEach
    void setUp() {
        storage = SqlEnvironments.uri(storageDir);
        seeded = false;
    }

    /** A new SQL client with the seed tables and {@code app.probes} (STREAM, no key). */
    private TableEnvironment client(Surface surface, boolean streaming) throws Exception {
        TableEnvironment env;
        String with;
        if (surface == Surface.CATALOG) {
            env = SqlEnvironments.withCatalog(storage, streaming);
            with = "";
        } else {
            env = SqlEnvironments.create(streaming);
            Sql.run(env, "CREATE DATABASE chat");
            Sql.run(env, "CREATE DATABASE app");
            // Plain tables keep writes hot (flushed by a catalog's procedure): a hint would change
            // their definition, which includes every WITH option.
            with =
                    ", 'connector' = 'tiered', 'path' = '"
                            + storage
                            + "', 'sink.flush-on-end-of-input' = 'false'";
        }
        if (surface == Surface.CONNECTOR || !seeded) {
            SqlEnvironments.createSeedTables(env, with);
            Sql.run(
                    env,
                    "CREATE TABLE app.probes (name STRING) WITH ('TYPE' = 'STREAM',"
                            + " 'TTL_SECONDS' = '3600'"
                            + with
                            + ")");
            seeded = true;
        }
        return env;
    }

    private static List<String> rows(TableEnvironment env, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        for (Row row : Sql.run(env, sql)) {
            rows.add(row.toString());
        }
        return rows;
    }

    /** The next {@code n} rows of a running query, as {@code +I[..]} strings. */
    private static List<String> next(CloseableIterator<Row> it, int n) {
        List<String> rows = new ArrayList<>();
        while (rows.size() < n && it.hasNext()) {
            rows.add(it.next().toString());
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(Surface.class)
    void batchSelectReadsBothTiers(Surface surface) throws Exception {
        TableEnvironment env = client(surface, false);
        Sql.run(
                env,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'a1'), (2, 'bob', 10, 'b2'), (3, 'alice', 11, 'a3')");
        if (surface == Surface.CONNECTOR) {
            Sql.run(
                    SqlEnvironments.withCatalog(storage),
                    "CALL tiered.sys.flush_table('chat.messages')");
        }
        // Stays hot: a new row and a newer version of a flushed one.
        Sql.run(
                env,
                "INSERT INTO chat.messages "
                        + (surface == Surface.CATALOG
                                ? "/*+ OPTIONS('sink.flush-on-end-of-input' = 'false') */"
                                : "")
                        + " (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'a1-edited'), (4, 'bob', 12, 'b4')");
        Sql.run(env, "INSERT INTO app.config VALUES ('theme', 'dark'), ('lang', 'en')");
        Sql.run(env, "INSERT INTO chat.typing_events VALUES (100, 'alice', 10)");

        TieredTable messages = TableReads.open(storage, "chat", "messages");
        assertThat(messages.latestState().hotSegments()).as("hot tier").isNotEmpty();
        assertThat(new File(storageDir, "chat/messages/alice/manifest.json"))
                .as("cold tier")
                .exists();

        assertThat(rows(env, "SELECT id, user_id, content FROM chat.messages ORDER BY id"))
                .containsExactly(
                        "+I[1, alice, a1-edited]",
                        "+I[2, bob, b2]",
                        "+I[3, alice, a3]",
                        "+I[4, bob, b4]");
        assertThat(rows(env, "SELECT * FROM app.config"))
                .containsExactlyInAnyOrder("+I[theme, dark]", "+I[lang, en]");
        assertThat(rows(env, "SELECT event_id, user_id FROM chat.typing_events"))
                .containsExactly("+I[100, alice]");
        assertThat(
                        rows(
                                client(surface, false),
                                "SELECT COUNT(*) FROM chat.messages WHERE created_at IS NOT NULL"))
                .as("a new client reads the same rows, NOW() defaults filled")
                .containsExactly("+I[4]");
    }

    @ParameterizedTest
    @EnumSource(Surface.class)
    void projectionUserFilterKeyRangeAndLimitArePushedDown(Surface surface) throws Exception {
        TableEnvironment env = client(surface, false);
        Sql.run(
                env,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'a1'), (2, 'bob', 10, 'b2'), (3, 'alice', 11, 'a3'),"
                        + " (4, 'bob', 12, 'b4')");

        String byUser = "SELECT content FROM chat.messages WHERE user_id = 'alice'";
        String plan = optimizedPlan(env, byUser);
        assertThat(plan)
                .contains("filter=[=(user_id, _UTF-16LE'alice'")
                .contains("project=[content]")
                .as("the user filter is exact: no Calc evaluates it again")
                .doesNotContain("where=");
        assertThat(rows(env, byUser)).containsExactlyInAnyOrder("+I[a1]", "+I[a3]");

        String byKey = "SELECT id FROM chat.messages WHERE id >= 2 AND id < 4";
        assertThat(optimizedPlan(env, byKey))
                .containsPattern("filter=\\[and\\(>=\\(id, 2[^)]*\\), <\\(id, 4")
                .as("key ranges are best effort: the filter still runs")
                .contains("where=");
        assertThat(rows(env, byKey)).containsExactlyInAnyOrder("+I[2]", "+I[3]");
        assertThat(rows(env, "SELECT id FROM chat.messages WHERE id = 3 AND user_id = 'alice'"))
                .containsExactly("+I[3]");

        String limited = "SELECT id FROM chat.messages LIMIT 2";
        assertThat(optimizedPlan(env, limited)).contains("limit=[2]");
        assertThat(rows(env, limited)).hasSize(2);
    }

    /** The optimized physical plan of a query (the part of EXPLAIN after its header). */
    private static String optimizedPlan(TableEnvironment env, String query) {
        String explain = env.explainSql(query);
        int start = explain.indexOf("== Optimized Physical Plan ==");
        int end = explain.indexOf("== Optimized Execution Plan ==");
        return explain.substring(start, end < 0 ? explain.length() : end);
    }

    @ParameterizedTest
    @EnumSource(Surface.class)
    void streamingSelectSeesLaterCommits(Surface surface) throws Exception {
        TableEnvironment writer = client(surface, false);
        Sql.run(
                writer,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'a1'), (2, 'bob', 10, 'b2')");
        TableEnvironment reader = client(surface, true);
        try (CloseableIterator<Row> it =
                reader.executeSql("SELECT id, content FROM chat.messages").collect()) {
            assertThat(next(it, 2)).containsExactlyInAnyOrder("+I[1, a1]", "+I[2, b2]");
            Sql.run(
                    writer,
                    "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                            + " (1, 'alice', 10, 'a1-edited'), (3, 'carol', 10, 'c3')");
            assertThat(next(it, 3))
                    .containsExactlyInAnyOrder("-U[1, a1]", "+U[1, a1-edited]", "+I[3, c3]");
        }
    }

    @ParameterizedTest
    @EnumSource(Surface.class)
    void streamingReadOfAUserSessionFollowsOnlyItsOwnRows(Surface surface) throws Exception {
        TableEnvironment writer = client(surface, false);
        Sql.run(
                writer,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'a1'), (2, 'bob', 10, 'b2')");
        TableEnvironment alice = client(surface, true);
        Sql.run(alice, "SET 'tiered.session.user' = 'alice'");
        try (CloseableIterator<Row> it =
                alice.executeSql("SELECT id, user_id, content FROM chat.messages").collect()) {
            assertThat(next(it, 1)).containsExactly("+I[1, alice, a1]");
            // bob's commit comes first: were it read, it would reach the query first.
            Sql.run(
                    writer,
                    "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                            + " (3, 'bob', 10, 'b3')");
            Sql.run(
                    writer,
                    "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                            + " (4, 'alice', 10, 'a4')");
            assertThat(next(it, 1)).containsExactly("+I[4, alice, a4]");
        }
    }

    @ParameterizedTest
    @EnumSource(Surface.class)
    void lookupJoinReturnsCurrentValuesAndFollowsCommits(Surface surface) throws Exception {
        TableEnvironment writer = client(surface, false);
        Sql.run(writer, "INSERT INTO app.config VALUES ('theme', 'dark'), ('lang', 'en')");
        TableEnvironment reader = client(surface, true);
        String join =
                "SELECT p.name, c.`value` FROM (SELECT name, PROCTIME() AS pt FROM app.probes) AS"
                        + " p JOIN app.config /*+ OPTIONS('lookup.refresh-interval' = '0s') */"
                        + " FOR SYSTEM_TIME AS OF p.pt AS c ON c.name = p.name";
        try (CloseableIterator<Row> it = reader.executeSql(join).collect()) {
            Sql.run(writer, "INSERT INTO app.probes VALUES ('nope'), ('theme')");
            assertThat(next(it, 1)).containsExactly("+I[theme, dark]");
            Sql.run(writer, "INSERT INTO app.config VALUES ('theme', 'light')");
            Sql.run(writer, "INSERT INTO app.probes VALUES ('theme'), ('lang')");
            assertThat(next(it, 2)).containsExactlyInAnyOrder("+I[theme, light]", "+I[lang, en]");
        }
    }
}
