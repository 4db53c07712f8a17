package dev.tiered.table.testing;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

import java.io.File;

/** TableEnvironments over a warehouse, each with its own tiered catalog instance. */
public final class SqlEnvironments {
    private SqlEnvironments() {}

    /** The warehouse URI of a temporary directory, without a trailing slash. */
    public static String uri(File dir) {
        return dir.toURI().toString().replaceAll("/$", "");
    }

    /** A new batch TableEnvironment (a new SQL client) with catalog {@code tiered} in use. */
    public static TableEnvironment withCatalog(String warehouse) throws Exception {
        return withCatalog(warehouse, false);
    }

    /**
     * A new TableEnvironment with catalog {@code tiered} in use; streaming ones checkpoint every
     * 100 ms.
     */
    public static TableEnvironment withCatalog(String warehouse, boolean streaming)
            throws Exception {
        TableEnvironment env = create(streaming);
        Sql.run(
                env,
                "CREATE CATALOG tiered WITH ('type' = 'tiered', 'warehouse' = '"
                        + warehouse
                        + "')");
        Sql.run(env, "USE CATALOG tiered");
        return env;
    }

    /** A new TableEnvironment in batch or streaming runtime mode, parallelism 2. */
    public static TableEnvironment create(boolean streaming) {
        TableEnvironment env =
                TableEnvironment.create(
                        streaming
                                ? EnvironmentSettings.inStreamingMode()
                                : EnvironmentSettings.inBatchMode());
        env.getConfig().set("parallelism.default", "2");
        if (streaming) {
            env.getConfig().set("execution.checkpointing.interval", "100ms");
        }
        return env;
    }

    /** The seed's three tables (DESIGN §7) in the current catalog. */
    public static void createSeedTables(TableEnvironment env, String extraWith) throws Exception {
        Sql.run(env, "CREATE DATABASE IF NOT EXISTS chat");
        Sql.run(env, "CREATE DATABASE IF NOT EXISTS app");
        Sql.run(
                env,
                "CREATE TABLE chat.messages (id BIGINT, user_id STRING, conversation_id BIGINT,"
                        + " content STRING, created_at TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED)"
                        + " WITH ('TYPE' = 'USER', 'FLUSH_POLICY' = 'rows:1000,interval:60',"
                        + " 'fields.created_at.default' = 'NOW()'"
                        + extraWith
                        + ")");
        Sql.run(
                env,
                "CREATE TABLE app.config (name STRING, `value` STRING, PRIMARY KEY (name) NOT"
                        + " ENFORCED) WITH ('TYPE' = 'SHARED', 'ACCESS_LEVEL' = 'PUBLIC'"
                        + extraWith
                        + ")");
        Sql.run(
                env,
                "CREATE TABLE chat.typing_events (event_id BIGINT, user_id STRING,"
                        + " conversation_id BIGINT, PRIMARY KEY (event_id) NOT ENFORCED) WITH"
                        + " ('TYPE' = 'STREAM', 'TTL_SECONDS' = '30'"
                        + extraWith
                        + ")");
    }
}
