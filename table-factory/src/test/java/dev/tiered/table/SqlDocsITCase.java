package dev.tiered.table;

import dev.tiered.table.testing.Sql;
import dev.tiered.table.testing.SqlScript;
import dev.tiered.table.testing.TableReads;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every {@code sql} block of docs/sql.md verbatim, in order, in one TableEnvironment per
 * runtime mode (only the warehouse and export URIs point at temporary directories), then checks
 * what the statements did. Streaming SELECTs are read for as many rows as {@link #STREAMING_ROWS}
 * says, then cancelled.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SqlDocsITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Pattern RUNTIME_MODE =
            Pattern.compile("(?is)SET\\s+'execution\\.runtime-mode'\\s*=\\s*'(\\w+)'");

    private static final String LOOKUP_JOIN =
            "SELECT r.setting, c.`value`\n"
                    + "FROM (SELECT setting, PROCTIME() AS pt FROM (VALUES ('theme'), ('lang'),"
                    + " ('font')) AS t(setting)) AS r\n"
                    + "LEFT JOIN app.config FOR SYSTEM_TIME AS OF r.pt AS c ON c.name ="
                    + " r.setting";

    /** Streaming SELECTs of the page never end: the rows read before cancelling each. */
    private static final Map<String, Integer> STREAMING_ROWS =
            Map.of("SELECT id, user_id, content FROM chat.messages", 5);

    @TempDir File warehouse;
    @TempDir File exports;

    @Test
    void everyExampleOfTheSqlReferenceRuns() throws Exception {
        String base = warehouse.toURI().toString().replaceAll("/$", "");
        String exportBase = exports.toURI().toString().replaceAll("/$", "");
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        env.getConfig().set("parallelism.default", "2");
        Map<String, List<Row>> results = new LinkedHashMap<>();
        for (String statement : SqlScript.statements(SqlScript.docs().resolve("sql.md"))) {
            String sql =
                    statement
                            .replace("file:///data/storage", base)
                            .replace("file:///export", exportBase);
            Matcher mode = RUNTIME_MODE.matcher(sql.trim());
            if (mode.matches()) {
                env = switchMode(env, mode.group(1));
                results.put(statement, List.of());
            } else if (isStreaming(env) && sql.trim().startsWith("SELECT") && !isBounded(sql)) {
                results.put(statement, Sql.first(env, sql, STREAMING_ROWS.get(statement)));
            } else {
                results.put(statement, Sql.run(env, sql));
            }
        }

        assertThat(
                        texts(
                                results.get(
                                        "SELECT id, user_id, content FROM chat.messages WHERE"
                                                + " user_id = 'alice'")))
                .contains("+I[1, alice, hi bob]", "+I[3, alice, lunch?]")
                .allMatch(r -> r.contains(", alice, "));
        assertThat(texts(results.get("SELECT name, `value` FROM app.config")))
                .containsExactlyInAnyOrder("+I[theme, dark]", "+I[lang, en]", "+I[region, eu]");
        assertThat(texts(results.get("SELECT event_id, user_id FROM chat.typing_events")))
                .containsExactly("+I[100, alice]");
        assertThat(
                        results.get(
                                        "EXPLAIN PLAN FOR SELECT content FROM chat.messages WHERE"
                                                + " user_id = 'alice'")
                                .get(0)
                                .getField(0)
                                .toString())
                .contains("filter=[=(user_id, _UTF-16LE'alice'")
                .contains("project=[content]");
        assertThat(
                        texts(
                                results.get(
                                        "SELECT id, content FROM chat.messages WHERE id BETWEEN 2"
                                                + " AND 3")))
                .containsExactlyInAnyOrder("+I[2, hi alice]", "+I[3, lunch?]");
        assertThat(
                        texts(
                                results.get(
                                        "SELECT name, `value` FROM app.config /*+"
                                                + " OPTIONS('scan.commit' = '1') */")))
                .as("before the region row was written")
                .containsExactlyInAnyOrder("+I[theme, dark]", "+I[lang, en]");
        assertThat(texts(results.get("SELECT id, user_id, content FROM chat.messages")))
                .hasSize(5)
                .contains("+I[1, alice, hi bob]", "+I[2, bob, hi alice]");
        assertThat(texts(results.get(LOOKUP_JOIN)))
                .containsExactlyInAnyOrder("+I[theme, dark]", "+I[lang, en]", "+I[font, null]");
        assertThat(texts(results.get("SELECT id, content FROM chat.messages")))
                .as("a user session reads its own rows only")
                .contains("+I[20, mine]", "+I[1, hi bob]")
                .noneMatch(r -> r.contains("hi alice") || r.contains("joined"));
        assertThat(texts(results.get("SELECT id, user_id, content FROM messages")))
                .containsExactly("+I[1, alice, hi]");

        assertThat(results).containsKey("CALL tiered.sys.flush_table('app.config')");
        List<Row> flushed = results.get("CALL tiered.sys.flush_table('app.config')");
        assertThat(flushed).hasSize(1);
        assertThat((Long) flushed.get(0).getField("commit_id")).isPositive();
        assertThat(flushed.get(0).getField("row_count")).isEqualTo(1L);

        assertThat(results.get("CALL tiered.sys.flush_all('chat')"))
                .anySatisfy(
                        r ->
                                assertThat(r.getField("message"))
                                        .isEqualTo("skipped: STREAM tables are never flushed"));
        assertThat(results.get("CALL tiered.sys.compact_table('chat.messages')"))
                .anySatisfy(r -> assertThat((Long) r.getField("commit_id")).isPositive());
        assertThat(results.get("CALL tiered.sys.check_storage('local', true)"))
                .allSatisfy(r -> assertThat(r.getField("status")).isEqualTo("healthy"));

        assertThat(results.get("CALL tiered.sys.expire_commits('chat.messages')"))
                .singleElement()
                .satisfies(r -> assertThat(r.getField("table_id")).isEqualTo("chat.messages"));
        // Hot segments a bounded job's final commit flushed entirely are never listed: orphans,
        // kept for the grace period (1 day by default).
        assertThat(results.get("CALL tiered.sys.remove_orphan_files('chat.messages')"))
                .isNotEmpty()
                .allSatisfy(
                        r ->
                                assertThat(r.getField("action"))
                                        .isIn(
                                                "no orphan files",
                                                "kept (younger than the grace period)"));
        assertThat(results.get("CALL tiered.sys.erase_user('alice')"))
                .extracting(r -> r.getField("table_id"))
                .containsExactly("chat.messages", "chat.notes");
        // USE_USER_STORAGE: carol's directory is in the storage assigned to her, dave's not
        assertThat(results.get("SELECT user_id, directory FROM tiered.chat.`notes$scopes`"))
                .extracting(r -> r.getField("user_id") + " " + r.getField("directory"))
                .containsExactly(
                        "carol " + base + "/archive-storage/chat/notes/carol",
                        "dave " + base + "/chat/notes/dave");
        assertThat(new File(warehouse, "archive-storage/chat/notes/carol/manifest.json")).exists();
        assertThat(results.get("SELECT * FROM tiered.`system`.users"))
                .extracting(r -> r.getField("user_id") + "=" + r.getField("storage_id"))
                .containsExactly("carol=archive");
        assertThat(results.get("SELECT * FROM tiered.`system`.storages"))
                .extracting(r -> r.getField("storage_id"))
                .containsExactly("local", "archive");

        List<String> tables = new ArrayList<>();
        for (Row r :
                results.get(
                        "SELECT table_id, table_type, flush_policy, ttl_seconds, access_level FROM"
                                + " tiered.`system`.`tables`")) {
            tables.add(
                    r.getField("table_id")
                            + " "
                            + r.getField("table_type")
                            + " "
                            + r.getField("flush_policy")
                            + " "
                            + r.getField("ttl_seconds")
                            + " "
                            + r.getField("access_level"));
        }
        assertThat(tables)
                .contains(
                        "chat.messages USER rows:500 null null",
                        "chat.typing_events STREAM null 30 null",
                        "app.config SHARED null null PUBLIC",
                        "app.audit SHARED null null PRIVATE");
        assertThat(
                        results.get(
                                "SELECT user_id, kind, path, row_count FROM tiered.chat.`messages$files`"))
                .anySatisfy(r -> assertThat(r.getField("kind")).isEqualTo("batch"));

        // The erase ran last in the catalog part: alice is gone, the others stay.
        Map<String, List<String>> messages = TableReads.rows(base, "chat", "messages");
        assertThat(messages.values()).noneMatch(r -> "alice".equals(r.get(1)));
        assertThat(messages.get("2")).containsSequence("2", "bob", "10", "hi alice");
        assertThat(messages.values()).anyMatch(r -> "carol".equals(r.get(1)));
        assertThat(messages.values()).allMatch(r -> r.get(4) != null); // NOW() default
        assertThat(TableReads.rows(base, "app", "config"))
                .containsOnlyKeys("lang", "region", "theme");
        assertThat(new File(exports, "alice/chat/messages/manifest.json")).exists();
        assertThat(new File(warehouse, "archive-storage/app/audit")).doesNotExist();
        assertThat(TableReads.rows(base + "/plain", "default_database", "messages"))
                .containsOnlyKeys("1");
    }

    private static List<String> texts(List<Row> rows) {
        assertThat(rows).as("statement ran").isNotNull();
        List<String> texts = new ArrayList<>();
        rows.forEach(r -> texts.add(r.toString()));
        return texts;
    }

    private static boolean isStreaming(TableEnvironment env) {
        return env.getConfig().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.STREAMING;
    }

    /** A lookup join's probe side is bounded here: the query ends by itself. */
    private static boolean isBounded(String sql) {
        return sql.contains("FOR SYSTEM_TIME AS OF");
    }

    /**
     * What the SQL client does on {@code SET 'execution.runtime-mode'}: the next statements run in
     * a client of that mode, over the same catalogs, current database and session options.
     */
    private static TableEnvironment switchMode(TableEnvironment from, String mode) {
        boolean streaming = mode.equalsIgnoreCase("streaming");
        TableEnvironment to =
                TableEnvironment.create(
                        streaming
                                ? EnvironmentSettings.inStreamingMode()
                                : EnvironmentSettings.inBatchMode());
        Map<String, String> options = from.getConfig().getConfiguration().toMap();
        options.remove(ExecutionOptions.RUNTIME_MODE.key());
        options.forEach((k, v) -> to.getConfig().set(k, v));
        for (String catalog : from.listCatalogs()) {
            if (!catalog.equals(to.getCurrentCatalog())) {
                to.registerCatalog(catalog, from.getCatalog(catalog).orElseThrow());
            }
        }
        to.useCatalog(from.getCurrentCatalog());
        to.useDatabase(from.getCurrentDatabase());
        return to;
    }
}
