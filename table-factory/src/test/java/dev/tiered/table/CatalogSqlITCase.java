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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tiered catalog end to end: DDL, INSERT, procedures, system tables, a second client. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CatalogSqlITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir File warehouseDir;
    String warehouse;
    TableEnvironment env;

    @BeforeEach
    void createSeedTables() throws Exception {
        warehouse = SqlEnvironments.uri(warehouseDir);
        env = SqlEnvironments.withCatalog(warehouse);
        SqlEnvironments.createSeedTables(env, "");
    }

    private static final String KEEP_HOT =
            " /*+ OPTIONS('sink.flush-on-end-of-input' = 'false') */ ";

    @Test
    void seedTablesInsertFlushAndCompact() throws Exception {
        Sql.run(
                env,
                "INSERT INTO chat.messages"
                        + KEEP_HOT
                        + "(id, user_id, conversation_id, content) VALUES (1, 'alice', 10, 'a1'),"
                        + " (2, 'bob', 10, 'b2'), (3, 'alice', 11, 'a3')");
        Sql.run(env, "INSERT INTO app.config" + KEEP_HOT + "VALUES ('theme', 'dark')");
        Sql.run(env, "INSERT INTO chat.typing_events VALUES (100, 'alice', 10)");

        // Committed, but hot: the files view lists hot segments only.
        assertThat(Sql.run(env, "SELECT kind FROM chat.`messages$files`"))
                .extracting(r -> r.getField("kind"))
                .containsOnly("hot");
        assertThat(TableReads.rows(warehouse, "chat", "messages")).containsOnlyKeys("1", "2", "3");

        List<Row> flushed = Sql.run(env, "CALL tiered.sys.flush_table('chat.messages')");
        assertThat(flushed).extracting(r -> r.getField("user_id")).containsExactly("alice", "bob");
        assertThat(flushed)
                .allSatisfy(r -> assertThat((Long) r.getField("commit_id")).isPositive());
        assertThat(flushed).extracting(r -> r.getField("row_count")).containsExactly(2L, 1L);
        assertThat(Sql.run(env, "SELECT kind FROM chat.`messages$files`"))
                .extracting(r -> r.getField("kind"))
                .containsOnly("batch");
        assertThat(Sql.run(env, "CALL tiered.sys.flush_table('chat.messages')"))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.getField("commit_id")).isEqualTo(-1L);
                            assertThat(r.getField("message"))
                                    .isEqualTo("nothing to flush: no hot rows");
                        });

        // A second round of hot rows, flushed by flush_all, gives alice two batches.
        Sql.run(
                env,
                "INSERT INTO chat.messages"
                        + KEEP_HOT
                        + "(id, user_id, conversation_id, content) VALUES (1, 'alice', 10,"
                        + " 'a1-edited'), (4, 'alice', 12, 'a4')");
        List<Row> all = Sql.run(env, "CALL tiered.sys.flush_all('chat')");
        assertThat(all)
                .extracting(r -> r.getField("table_id") + " " + r.getField("message"))
                .contains(
                        "chat.messages flushed 2 rows into 1 batch",
                        "chat.typing_events skipped: STREAM tables are never flushed");
        Map<String, List<String>> before = TableReads.rows(warehouse, "chat", "messages");
        assertThat(before.get("1")).containsSequence("1", "alice", "10", "a1-edited");
        assertThat(before.get("1").get(4)).as("NOW() default").isNotNull();

        List<Row> compacted = Sql.run(env, "CALL tiered.sys.compact_table('chat.messages')");
        assertThat(compacted)
                .filteredOn(r -> "alice".equals(r.getField("user_id")))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat((Long) r.getField("commit_id")).isPositive();
                            assertThat(r.getField("files_removed")).isEqualTo(2);
                            assertThat(r.getField("files_added")).isEqualTo(1);
                        });
        assertThat(TableReads.rows(warehouse, "chat", "messages")).isEqualTo(before);

        // SHARED: flushed by hand too.
        assertThat(Sql.run(env, "CALL tiered.sys.flush_table('app.config')"))
                .singleElement()
                .satisfies(r -> assertThat((Long) r.getField("commit_id")).isPositive());
        assertThat(TableReads.rows(warehouse, "app", "config").get("theme"))
                .containsExactly("theme", "dark");

        // STREAM: never flushed or compacted; its events are readable while younger than TTL.
        assertThatThrownBy(() -> Sql.run(env, "CALL tiered.sys.flush_table('chat.typing_events')"))
                .rootCause()
                .hasMessage(
                        "Cannot flush chat.typing_events: it is a STREAM table, which is never"
                                + " flushed to batches");
        assertThatThrownBy(
                        () -> Sql.run(env, "CALL tiered.sys.compact_table('chat.typing_events')"))
                .rootCause()
                .hasMessage(
                        "Cannot compact chat.typing_events: it is a STREAM table, which is never"
                                + " flushed to batches");
        assertThat(TableReads.rows(warehouse, "chat", "typing_events")).containsOnlyKeys("100");

        assertThat(
                        Sql.run(
                                env,
                                "SELECT operation FROM tiered.`system`.commits WHERE table_id ="
                                        + " 'chat.messages'"))
                .extracting(r -> r.getField("operation"))
                .contains("append", "flush", "compact");
        assertThat(
                        Sql.run(
                                env,
                                "SELECT user_id, row_count FROM tiered.`system`.flushes WHERE"
                                        + " table_id = 'chat.messages'"))
                .extracting(r -> r.getField("user_id") + "=" + r.getField("row_count"))
                .containsExactlyInAnyOrder("alice=2", "bob=1", "alice=2");
        assertThat(Sql.run(env, "SELECT user_id, batches FROM chat.`messages$scopes`"))
                .extracting(r -> r.getField("user_id") + "=" + r.getField("batches"))
                .containsExactlyInAnyOrder("alice=1", "bob=1");
        assertThat(Sql.run(env, "SELECT user_id, batches FROM tiered.`system`.manifests"))
                .extracting(r -> r.getField("user_id") + "=" + r.getField("batches"))
                .containsExactlyInAnyOrder("alice=1", "bob=1", "null=1");
    }

    @Test
    void aSecondClientSeesTheSameTablesAndRows() throws Exception {
        Sql.run(
                env,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'from the first client')");

        TableEnvironment second = SqlEnvironments.withCatalog(warehouse);
        assertThat(Sql.run(second, "SHOW DATABASES"))
                .extracting(r -> r.getField(0))
                .contains("app", "chat", "default", "system");
        assertThat(Sql.run(second, "SHOW TABLES IN chat"))
                .extracting(r -> r.getField(0))
                .containsExactlyInAnyOrder("messages", "typing_events");
        assertThat(Sql.run(second, "DESCRIBE chat.messages"))
                .extracting(r -> r.getField(0) + " " + r.getField(1))
                .containsExactly(
                        "id BIGINT",
                        "user_id STRING",
                        "conversation_id BIGINT",
                        "content STRING",
                        "created_at TIMESTAMP(3)");
        assertThat(
                        Sql.run(
                                second,
                                "SELECT table_type, flush_policy FROM tiered.`system`.`tables`"
                                        + " WHERE table_id = 'chat.messages'"))
                .extracting(r -> r.getField("table_type") + " " + r.getField("flush_policy"))
                .containsExactly("USER rows:1000,interval:60");
        Sql.run(
                second,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (2, 'bob', 10, 'from the second client')");

        Map<String, List<String>> rows = TableReads.rows(warehouse, "chat", "messages");
        assertThat(rows.get("1").get(3)).isEqualTo("from the first client");
        assertThat(rows.get("2").get(3)).isEqualTo("from the second client");

        // A table dropped by one client is gone for the other.
        Sql.run(second, "DROP TABLE chat.typing_events");
        assertThat(Sql.run(env, "SHOW TABLES IN chat"))
                .extracting(r -> r.getField(0))
                .containsExactly("messages");
        assertThat(new File(warehouseDir, "chat/typing_events")).doesNotExist();
    }

    @Test
    void alterTableAddsColumnsThatOldRowsReadAsNullAndSetsOptions() throws Exception {
        Sql.run(env, "INSERT INTO app.config VALUES ('theme', 'dark')");
        Sql.run(env, "ALTER TABLE app.config ADD updated_by STRING");
        Sql.run(env, "ALTER TABLE app.config SET ('FLUSH_POLICY' = 'rows:10')");
        Sql.run(env, "INSERT INTO app.config VALUES ('lang', 'en', 'ops')");

        Map<String, List<String>> rows = TableReads.rows(warehouse, "app", "config");
        assertThat(rows.get("theme")).containsExactly("theme", "dark", null);
        assertThat(rows.get("lang")).containsExactly("lang", "en", "ops");
        assertThat(new File(warehouseDir, "app/config/_table/schema-3.json")).exists();
        TableEnvironment second = SqlEnvironments.withCatalog(warehouse);
        assertThat(
                        Sql.run(
                                second,
                                "SELECT flush_policy, schema_version FROM tiered.`system`.`tables`"
                                        + " WHERE table_id = 'app.config'"))
                .extracting(r -> r.getField(0) + " " + r.getField(1))
                .containsExactly("rows:10 3");

        assertThatThrownBy(() -> Sql.run(env, "ALTER TABLE app.config DROP `value`"))
                .rootCause()
                .hasMessage("Cannot alter table app.config: columns cannot be dropped");
        assertThatThrownBy(() -> Sql.run(env, "ALTER TABLE app.config SET ('TYPE' = 'USER')"))
                .rootCause()
                .hasMessage(
                        "Cannot alter table app.config: TYPE, STORAGE_ID and 'user-id.column'"
                                + " cannot change");
        assertThatThrownBy(() -> Sql.run(env, "ALTER TABLE app.config SET ('colour' = 'red')"))
                .rootCause()
                .hasMessageContaining("colour");
    }

    @Test
    void ddlIsValidatedWithTheDesignMessages() {
        Map<String, String> cases =
                Map.ofEntries(
                        Map.entry(
                                "'TYPE' = 'BOGUS'",
                                "Invalid TYPE option 'BOGUS'. Supported: USER, SHARED, STREAM"),
                        Map.entry("'TYPE' = 'STREAM'", "STREAM tables must specify 'TTL_SECONDS'"),
                        Map.entry(
                                "'TTL_SECONDS' = '30'",
                                "TTL_SECONDS is only supported for STREAM tables"),
                        Map.entry(
                                "'TYPE' = 'USER', 'ACCESS_LEVEL' = 'PUBLIC'",
                                "ACCESS_LEVEL is only supported for SHARED tables"),
                        Map.entry(
                                "'USE_USER_STORAGE' = 'true'",
                                "USE_USER_STORAGE is only supported for USER tables"),
                        Map.entry(
                                "'STORAGE_ID' = 'a/b'",
                                "Invalid STORAGE_ID 'a/b'. Only alphanumeric, underscore, and hyphen allowed."),
                        Map.entry("'STORAGE_ID' = 'nowhere'", "Storage 'nowhere' does not exist"),
                        Map.entry(
                                "'FLUSH_POLICY' = 'rows'",
                                "Invalid FLUSH_POLICY format 'rows'. Expected 'key:value'"),
                        Map.entry("'FLUSH_POLICY' = 'bytes:5'", "Unknown FLUSH_POLICY key 'bytes'"),
                        Map.entry(
                                "'FLUSH_POLICY' = 'rows:0'",
                                "FLUSH_POLICY must specify 'rows' or 'interval' > 0"),
                        Map.entry(
                                "'FLUSH_POLICY' = 'rows:0,interval:60'",
                                "Row limit must be greater than 0"),
                        Map.entry(
                                "'FLUSH_POLICY' = 'rows:1000000'",
                                "Row limit must be less than 1,000,000"),
                        Map.entry(
                                "'FLUSH_POLICY' = 'rows:10,interval:0'",
                                "Interval must be greater than 0"),
                        Map.entry(
                                "'FLUSH_POLICY' = 'interval:86400'",
                                "Interval must be less than 86400 seconds (24 hours)"),
                        Map.entry("'FLUSH_POLICY' = 'rows:x'", "Invalid row limit in FLUSH_POLICY"),
                        Map.entry(
                                "'FLUSH_POLICY' = 'interval:x'",
                                "Invalid interval in FLUSH_POLICY"));
        cases.forEach(
                (with, message) ->
                        assertThatThrownBy(
                                        () ->
                                                Sql.run(
                                                        env,
                                                        "CREATE TABLE chat.bad (id BIGINT, user_id"
                                                                + " STRING, PRIMARY KEY (id) NOT"
                                                                + " ENFORCED) WITH ("
                                                                + with
                                                                + ")"))
                                .as(with)
                                .rootCause()
                                .hasMessage(message));
        assertThatThrownBy(
                        () ->
                                Sql.run(
                                        env,
                                        "CREATE TABLE chat.bad (id BIGINT) WITH ('TYPE' = 'USER')"))
                .rootCause()
                .hasMessage("User tables require a PRIMARY KEY column");
        assertThatThrownBy(() -> Sql.run(env, "CREATE TABLE chat.bad (id BIGINT)"))
                .rootCause()
                .hasMessage("Shared tables require a PRIMARY KEY column");
        assertThatThrownBy(
                        () ->
                                Sql.run(
                                        env,
                                        "CREATE TABLE chat.bad (id BIGINT, PRIMARY KEY (id) NOT"
                                                + " ENFORCED) WITH ('colour' = 'red')"))
                .rootCause()
                .hasMessageContaining("Unsupported options")
                .hasMessageContaining("colour");
        assertThatThrownBy(
                        () ->
                                Sql.run(
                                        env,
                                        "CREATE TABLE chat.bad (id BIGINT, PRIMARY KEY (id) NOT"
                                                + " ENFORCED) WITH ('log.retain-commits' ="
                                                + " 'many')"))
                .rootCause()
                .hasMessageContaining("log.retain-commits");
        assertThat(new File(warehouseDir, "chat/bad")).doesNotExist();
    }

    @Test
    void systemTablesAreReadOnlyAndSnowflakeIdsAreFresh() throws Exception {
        assertThatThrownBy(
                        () ->
                                Sql.run(
                                        env,
                                        "INSERT INTO tiered.`system`.storages VALUES ('x', 'y',"
                                                + " false)"))
                .rootCause()
                .hasMessageContaining("system tables are read-only");
        assertThat(
                        Sql.run(
                                env,
                                "SELECT storage_id, base_uri, is_default FROM tiered.`system`.storages"))
                .extracting(r -> r.getField(0) + " " + r.getField(1) + " " + r.getField(2))
                .containsExactly("local " + warehouse + " true");

        Sql.run(env, "USE chat");
        List<Row> ids = Sql.run(env, "SELECT SNOWFLAKE_ID() AS id FROM (VALUES 1, 2, 3) AS t(x)");
        Set<Object> distinct = ids.stream().map(r -> r.getField("id")).collect(Collectors.toSet());
        assertThat(distinct).hasSize(3).allMatch(id -> (Long) id > 0);
        assertThat(
                        new HashSet<>(
                                Arrays.asList(
                                        Sql.run(env, "SHOW FUNCTIONS").stream()
                                                .map(r -> r.getField(0))
                                                .toArray())))
                .contains("snowflake_id", "now");
    }

    @Test
    void otherConnectorsAreTemporaryTablesAndDatabasesDropWithCascade() throws Exception {
        assertThatThrownBy(
                        () ->
                                Sql.run(
                                        env,
                                        "CREATE TABLE chat.src (id BIGINT) WITH ('connector' ="
                                                + " 'datagen')"))
                .rootCause()
                .hasMessage(
                        "Cannot create table chat.src with 'connector' = 'datagen': a tiered"
                                + " catalog holds tiered tables only (declare other connectors as"
                                + " TEMPORARY tables)");
        Sql.run(
                env,
                "CREATE TEMPORARY TABLE chat.src (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'number-of-rows' = '5', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '1', 'fields.id.end' = '5')");
        Sql.run(
                env,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) SELECT id,"
                        + " 'carol', 1, 'generated' FROM chat.src");
        assertThat(TableReads.rows(warehouse, "chat", "messages"))
                .containsOnlyKeys("1", "2", "3", "4", "5");
        assertThat(Sql.run(env, "SELECT operation FROM chat.`messages$commits`"))
                .extracting(r -> r.getField("operation"))
                .containsExactly("flush");

        assertThatThrownBy(() -> Sql.run(env, "DROP DATABASE chat"))
                .rootCause()
                .hasMessageContaining("is not empty");
        Sql.run(env, "DROP DATABASE chat CASCADE");
        assertThat(Sql.run(env, "SHOW DATABASES"))
                .extracting(r -> r.getField(0))
                .doesNotContain("chat");
        assertThat(new File(warehouseDir, "chat")).doesNotExist();
    }

    @Test
    void tablesInNamedStoragesLiveAtTheStorageBase() throws Exception {
        File archive = new File(warehouseDir, "elsewhere");
        TableEnvironment withStorage =
                TableEnvironment.create(
                        org.apache.flink.table.api.EnvironmentSettings.inBatchMode());
        Sql.run(
                withStorage,
                "CREATE CATALOG tiered WITH ('type' = 'tiered', 'warehouse' = '"
                        + warehouse
                        + "', 'storage.archive' = '"
                        + SqlEnvironments.uri(archive)
                        + "')");
        Sql.run(withStorage, "USE CATALOG tiered");
        Sql.run(
                withStorage,
                "CREATE TABLE app.audit (id BIGINT, entry STRING, PRIMARY KEY (id) NOT ENFORCED)"
                        + " WITH ('STORAGE_ID' = 'archive')");
        Sql.run(withStorage, "INSERT INTO app.audit VALUES (1, 'created')");
        assertThat(new File(archive, "app/audit/manifest.json")).exists();
        assertThat(new File(warehouseDir, "app/audit")).doesNotExist();
        assertThat(TableReads.rows(SqlEnvironments.uri(archive), "app", "audit"))
                .containsOnlyKeys("1");
        assertThat(Sql.run(withStorage, "SHOW DATABASES"))
                .extracting(r -> r.getField(0))
                .as("a storage directory inside the warehouse is no namespace")
                .doesNotContain("elsewhere")
                .contains("app");
        assertThat(
                        Sql.run(
                                withStorage,
                                "SELECT storage_id FROM tiered.`system`.`tables` WHERE table_id ="
                                        + " 'app.audit'"))
                .extracting(r -> r.getField(0))
                .containsExactly("archive");
        assertThatThrownBy(
                        () ->
                                Sql.run(
                                        env,
                                        "CREATE CATALOG bad WITH ('type' = 'tiered', 'warehouse'"
                                                + " = '"
                                                + warehouse
                                                + "', 'storage.a/b' = 'file:///x')"))
                .rootCause()
                .hasMessage(
                        "Invalid STORAGE_ID 'a/b'. Only alphanumeric, underscore, and hyphen"
                                + " allowed.");
    }

    @Test
    void useUserStoragePutsAssignedUsersInTheirStorage() throws Exception {
        File eu = new File(warehouseDir.getParentFile(), warehouseDir.getName() + "-eu");
        TableEnvironment sql =
                TableEnvironment.create(
                        org.apache.flink.table.api.EnvironmentSettings.inBatchMode());
        Sql.run(
                sql,
                "CREATE CATALOG tiered WITH ('type' = 'tiered', 'warehouse' = '"
                        + warehouse
                        + "', 'storage.eu' = '"
                        + SqlEnvironments.uri(eu)
                        + "')");
        Sql.run(sql, "USE CATALOG tiered");
        Sql.run(
                sql,
                "CREATE TABLE chat.notes (id BIGINT, user_id STRING, body STRING, PRIMARY KEY (id)"
                        + " NOT ENFORCED) WITH ('TYPE' = 'USER', 'USE_USER_STORAGE' = 'true')");
        assertThat(Sql.run(sql, "CALL tiered.sys.set_user_storage('alice', 'eu')"))
                .singleElement()
                .satisfies(r -> assertThat(r.getField("storage_id")).isEqualTo("eu"))
                .satisfies(r -> assertThat(r.getField("previous_storage_id")).isNull());
        assertThatThrownBy(() -> Sql.run(sql, "CALL tiered.sys.set_user_storage('bob', 'moon')"))
                .rootCause()
                .hasMessage("Storage 'moon' does not exist");

        Sql.run(
                sql,
                "INSERT INTO chat.notes VALUES (1, 'alice', 'a1'), (2, 'bob', 'b2'),"
                        + " (3, 'alice', 'a3')");

        assertThat(new File(eu, "chat/notes/alice/manifest.json")).exists();
        assertThat(new File(warehouseDir, "chat/notes/alice")).doesNotExist();
        assertThat(new File(warehouseDir, "chat/notes/bob/manifest.json")).exists();
        assertThat(Sql.run(sql, "SELECT id, user_id FROM chat.notes"))
                .extracting(r -> r.getField("id") + "/" + r.getField("user_id"))
                .containsExactlyInAnyOrder("1/alice", "2/bob", "3/alice");
        assertThat(Sql.run(sql, "SELECT user_id, storage_id FROM tiered.`system`.`users`"))
                .extracting(r -> r.getField(0) + "=" + r.getField(1))
                .containsExactly("alice=eu");
        assertThat(Sql.run(sql, "SELECT user_id, directory FROM chat.`notes$scopes`"))
                .extracting(r -> r.getField(0) + " " + r.getField(1))
                .containsExactly(
                        "alice " + SqlEnvironments.uri(new File(eu, "chat/notes/alice")),
                        "bob " + SqlEnvironments.uri(new File(warehouseDir, "chat/notes/bob")));

        // Moving the assignment moves nothing; erasing alice deletes her directory in eu.
        Sql.run(sql, "CALL tiered.sys.reset_user_storage('alice')");
        Sql.run(sql, "INSERT INTO chat.notes VALUES (4, 'alice', 'a4')");
        assertThat(new File(eu, "chat/notes/alice").list((d, n) -> n.endsWith(".parquet")))
                .hasSize(2);
        Sql.run(sql, "CALL tiered.sys.erase_user('alice')");
        assertThat(new File(eu, "chat/notes/alice")).doesNotExist();
        assertThat(Sql.run(sql, "SELECT id FROM chat.notes"))
                .extracting(r -> r.getField(0))
                .containsExactly(2L);

        // DROP TABLE removes the users kept in other storages too.
        Sql.run(sql, "CALL tiered.sys.set_user_storage('erin', 'eu')");
        Sql.run(sql, "INSERT INTO chat.notes VALUES (5, 'erin', 'e5')");
        assertThat(new File(eu, "chat/notes/erin/manifest.json")).exists();
        Sql.run(sql, "DROP TABLE chat.notes");
        assertThat(new File(eu, "chat/notes")).doesNotExist();
        assertThat(new File(warehouseDir, "chat/notes")).doesNotExist();
    }
}
