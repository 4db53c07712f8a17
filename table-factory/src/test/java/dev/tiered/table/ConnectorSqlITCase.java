package dev.tiered.table;

import dev.tiered.table.testing.Sql;
import dev.tiered.table.testing.SqlEnvironments;
import dev.tiered.table.testing.TableReads;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

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

/** {@code 'connector' = 'tiered'} without a catalog: the seed's tables, upserts, a second job. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ConnectorSqlITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir File storageDir;

    private TableEnvironment plain(boolean streaming) throws Exception {
        TableEnvironment env =
                TableEnvironment.create(
                        streaming
                                ? EnvironmentSettings.inStreamingMode()
                                : EnvironmentSettings.inBatchMode());
        env.getConfig().set("parallelism.default", "2");
        env.getConfig().set("execution.checkpointing.interval", "100ms");
        Sql.run(env, "CREATE DATABASE chat");
        Sql.run(env, "CREATE DATABASE app");
        SqlEnvironments.createSeedTables(
                env,
                ", 'connector' = 'tiered', 'path' = '" + SqlEnvironments.uri(storageDir) + "'");
        return env;
    }

    @Test
    void seedTablesThroughThePlainConnector() throws Exception {
        String path = SqlEnvironments.uri(storageDir);
        TableEnvironment env = plain(false);
        Sql.run(
                env,
                "INSERT INTO chat.messages (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'a1'), (2, 'bob', 10, 'b2')");
        Sql.run(env, "INSERT INTO app.config VALUES ('theme', 'dark'), ('lang', 'en')");
        Sql.run(env, "INSERT INTO chat.typing_events VALUES (100, 'alice', 10)");

        assertThat(TableReads.rows(path, "chat", "messages")).containsOnlyKeys("1", "2");
        assertThat(new File(storageDir, "chat/messages/alice/manifest.json")).exists();
        assertThat(new File(storageDir, "chat/messages/bob/manifest.json")).exists();
        assertThat(new File(storageDir, "app/config/manifest.json")).exists();
        assertThat(TableReads.rows(path, "app", "config")).containsOnlyKeys("lang", "theme");
        assertThat(TableReads.rows(path, "chat", "typing_events")).containsOnlyKeys("100");
        assertThat(new File(storageDir, "chat/typing_events/manifest.json"))
                .as("STREAM tables are never flushed")
                .doesNotExist();

        // A second job (another client, same DDL) upserts and deletes through the changelog,
        // with its own sink settings: they configure the job, not the table.
        TableEnvironment second = plain(false);
        Sql.run(
                second,
                "INSERT INTO chat.messages /*+ OPTIONS('sink.bad-rows' = 'skip',"
                        + " 'hot.max-bytes' = '32mb') */"
                        + " (id, user_id, conversation_id, content) VALUES"
                        + " (1, 'alice', 10, 'a1-edited'), (3, 'alice', 11, 'a3')");
        Map<String, List<String>> rows = TableReads.rows(path, "chat", "messages");
        assertThat(rows).containsOnlyKeys("1", "2", "3");
        assertThat(rows.get("1").get(3)).isEqualTo("a1-edited");
        assertThat(rows.get("1").get(4)).as("NOW() default").isNotNull();

        // A tiered catalog over the same base URI lists the tables and flushes them.
        TableEnvironment catalog = SqlEnvironments.withCatalog(path);
        assertThat(Sql.run(catalog, "SHOW TABLES IN chat"))
                .extracting(r -> r.getField(0))
                .containsExactlyInAnyOrder("messages", "typing_events");
        assertThat(Sql.run(catalog, "CALL tiered.sys.compact_table('chat.messages')"))
                .filteredOn(r -> "alice".equals(r.getField("user_id")))
                .singleElement()
                .satisfies(r -> assertThat((Long) r.getField("commit_id")).isPositive());
        assertThat(TableReads.rows(path, "chat", "messages")).isEqualTo(rows);
    }

    @Test
    void streamingJobWithDeletesCommitsAtCheckpoints() throws Exception {
        String path = SqlEnvironments.uri(storageDir);
        TableEnvironment env = plain(true);
        // An aggregation produces an updating changelog: +I, then -U/+U per new count.
        Sql.run(
                env,
                "CREATE TEMPORARY VIEW counts AS SELECT name, CAST(COUNT(*) AS STRING) AS c FROM"
                        + " (VALUES ('a'), ('b'), ('a'), ('a')) AS t(name) GROUP BY name");
        env.executeSql("INSERT INTO app.config SELECT name, c FROM counts").await();
        Map<String, List<String>> rows = TableReads.rows(path, "app", "config");
        assertThat(rows.get("a")).containsExactly("a", "3");
        assertThat(rows.get("b")).containsExactly("b", "1");
    }

    @Test
    void optionsAreValidatedWhenTheTableIsUsed() throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        Sql.run(
                env,
                "CREATE TABLE events (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ("
                        + " 'connector' = 'tiered', 'path' = '"
                        + SqlEnvironments.uri(storageDir)
                        + "', 'TYPE' = 'STREAM')");
        assertThatThrownBy(() -> Sql.run(env, "INSERT INTO events VALUES (1)"))
                .rootCause()
                .hasMessage("STREAM tables must specify 'TTL_SECONDS'");
        Sql.run(
                env,
                "CREATE TABLE elsewhere (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ("
                        + " 'connector' = 'tiered', 'path' = '"
                        + SqlEnvironments.uri(storageDir)
                        + "', 'STORAGE_ID' = 'archive')");
        assertThatThrownBy(() -> Sql.run(env, "INSERT INTO elsewhere VALUES (1)"))
                .rootCause()
                .hasMessage("Storage 'archive' does not exist");
        Sql.run(
                env,
                "CREATE TABLE nopath (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ("
                        + " 'connector' = 'tiered')");
        assertThatThrownBy(() -> Sql.run(env, "INSERT INTO nopath VALUES (1)"))
                .rootCause()
                .hasMessageContaining("path");
    }
}
