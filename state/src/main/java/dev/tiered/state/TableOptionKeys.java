package dev.tiered.state;

import java.util.List;

/**
 * The table-definition option keys of DESIGN §4. The upper-case names are canonical; the lower-case
 * Flink-style aliases mean the same thing. Job-level {@code sink.*}, {@code scan.*} and {@code
 * lookup.*} options belong to the connector modules, not to the definition.
 */
public final class TableOptionKeys {
    public static final String TYPE = "TYPE";
    public static final String FLUSH_POLICY = "FLUSH_POLICY";
    public static final String TTL_SECONDS = "TTL_SECONDS";
    public static final String ACCESS_LEVEL = "ACCESS_LEVEL";
    public static final String USE_USER_STORAGE = "USE_USER_STORAGE";
    public static final String STORAGE_ID = "STORAGE_ID";
    public static final String USER_ID_COLUMN = "user-id.column";
    public static final String FIELDS_PREFIX = "fields.";
    public static final String DEFAULT_SUFFIX = ".default";

    /**
     * Maintenance (table properties, see {@code MaintenanceOptions}): target size of compacted
     * files.
     */
    public static final String COMPACTION_TARGET_FILE_SIZE = "compaction.target-file-size";

    /** Automatic compaction of a scope once it has more batches than this; 0 turns it off. */
    public static final String COMPACTION_MAX_FILES = "compaction.max-files";

    /** Expiry keeps at least this many newest commits for time travel. */
    public static final String LOG_RETAIN_COMMITS = "log.retain-commits";

    /** Expiry keeps every commit younger than this for time travel. */
    public static final String LOG_RETAIN_TIME = "log.retain-time";

    /** Orphan cleanup leaves unreferenced files younger than this (attempts may be in flight). */
    public static final String ORPHAN_GRACE_PERIOD = "orphan-files.grace-period";

    /** Canonical upper-case keys, in the order their values are parsed. */
    public static final List<String> CANONICAL =
            List.of(TYPE, STORAGE_ID, FLUSH_POLICY, TTL_SECONDS, ACCESS_LEVEL, USE_USER_STORAGE);

    private TableOptionKeys() {}

    /** The Flink-style alias of a canonical key: {@code FLUSH_POLICY} -> {@code flush-policy}. */
    public static String alias(String canonicalKey) {
        return canonicalKey.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** {@code fields.<column>.default}. */
    public static String fieldDefaultKey(String column) {
        return FIELDS_PREFIX + column + DEFAULT_SUFFIX;
    }
}
