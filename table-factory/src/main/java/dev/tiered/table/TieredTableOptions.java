package dev.tiered.table;

import dev.tiered.state.TableOptionKeys;
import dev.tiered.state.TableOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The table-definition options of DESIGN §4 as Flink options. The upper-case keys are canonical;
 * each lower-case alias is a fallback key, so {@code 'type' = 'USER'} and {@code 'TYPE' = 'USER'}
 * mean the same. Values are checked by {@link TableOptions#parse}, which has the exact messages.
 */
@PublicEvolving
public final class TieredTableOptions {

    public static final ConfigOption<String> PATH =
            ConfigOptions.key("path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base URI of the storage the table lives in (file:///..., s3://...)."
                                    + " Tables of a tiered catalog take it from the catalog.");

    public static final ConfigOption<String> TYPE =
            definitionOption(
                    TableOptionKeys.TYPE,
                    "USER (one directory per user), SHARED (one scope, with an access level) or"
                            + " STREAM (hot only, events expire after TTL_SECONDS). Default SHARED.");

    public static final ConfigOption<String> FLUSH_POLICY =
            definitionOption(
                    TableOptionKeys.FLUSH_POLICY,
                    "When hot rows move to Parquet: 'rows:N' (1..999999), 'interval:S'"
                            + " (1..86399 seconds) or both comma-separated, whichever comes first."
                            + " Without it, rows stay hot until a manual flush, the end of a bounded"
                            + " job or the hot.max-bytes cap.");

    public static final ConfigOption<String> TTL_SECONDS =
            definitionOption(
                    TableOptionKeys.TTL_SECONDS,
                    "STREAM tables only, required: seconds an event stays readable after the sink"
                            + " wrote it.");

    public static final ConfigOption<String> ACCESS_LEVEL =
            definitionOption(
                    TableOptionKeys.ACCESS_LEVEL,
                    "SHARED tables only: PUBLIC, PRIVATE (default), RESTRICTED or DBA.");

    public static final ConfigOption<String> USE_USER_STORAGE =
            definitionOption(
                    TableOptionKeys.USE_USER_STORAGE,
                    "USER tables only: route each user's directory to the storage named for that"
                            + " user.");

    public static final ConfigOption<String> STORAGE_ID =
            definitionOption(
                    TableOptionKeys.STORAGE_ID,
                    "Named storage of the catalog holding the table's files (pattern"
                            + " [a-zA-Z0-9_-]+). Default 'local', the warehouse.");

    public static final ConfigOption<String> USER_ID_COLUMN =
            ConfigOptions.key(TableOptionKeys.USER_ID_COLUMN)
                    .stringType()
                    .defaultValue(TableOptions.DEFAULT_USER_ID_COLUMN)
                    .withDescription(
                            "USER tables: the STRING column that carries each row's owner.");

    public static final ConfigOption<String> COMPACTION_TARGET_FILE_SIZE =
            ConfigOptions.key(TableOptionKeys.COMPACTION_TARGET_FILE_SIZE)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Compaction writes files of about this size (e.g. '128mb', the"
                                    + " default); batches at or above it are left alone.");

    public static final ConfigOption<String> COMPACTION_MAX_FILES =
            ConfigOptions.key(TableOptionKeys.COMPACTION_MAX_FILES)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Automatic compaction runs on a scope with more batches than this"
                                    + " (default 16); 0 turns it off.");

    public static final ConfigOption<String> LOG_RETAIN_COMMITS =
            ConfigOptions.key(TableOptionKeys.LOG_RETAIN_COMMITS)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Expiry keeps at least this many newest commits (default 100).");

    public static final ConfigOption<String> LOG_RETAIN_TIME =
            ConfigOptions.key(TableOptionKeys.LOG_RETAIN_TIME)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Expiry keeps every commit younger than this (default '1 h').");

    public static final ConfigOption<String> ORPHAN_GRACE_PERIOD =
            ConfigOptions.key(TableOptionKeys.ORPHAN_GRACE_PERIOD)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Orphan cleanup leaves unreferenced files younger than this (default"
                                    + " '1 d'): attempts may still be in flight.");

    private TieredTableOptions() {}

    private static ConfigOption<String> definitionOption(String canonicalKey, String description) {
        return ConfigOptions.key(canonicalKey)
                .stringType()
                .noDefaultValue()
                .withFallbackKeys(TableOptionKeys.alias(canonicalKey))
                .withDescription(description);
    }
}
