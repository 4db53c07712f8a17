package dev.tiered.state;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static dev.tiered.state.TableOptionKeys.ACCESS_LEVEL;
import static dev.tiered.state.TableOptionKeys.FLUSH_POLICY;
import static dev.tiered.state.TableOptionKeys.STORAGE_ID;
import static dev.tiered.state.TableOptionKeys.TTL_SECONDS;
import static dev.tiered.state.TableOptionKeys.TYPE;
import static dev.tiered.state.TableOptionKeys.USER_ID_COLUMN;
import static dev.tiered.state.TableOptionKeys.USE_USER_STORAGE;

/**
 * The typed table options of DESIGN §4, parsed once; nothing downstream reads raw strings.
 *
 * @param flushPolicy null when the table has none (hot until a manual flush, end of input or the
 *     {@code hot.max-bytes} cap)
 * @param ttlSeconds null unless the table is a STREAM table
 * @param accessLevel null unless the table is a SHARED table
 * @param userIdColumn null unless the table is a USER table
 * @param fieldDefaults column name to default expression ({@code SNOWFLAKE_ID()}, {@code NOW()} or
 *     a literal), checked against the columns by {@link TableDefinition}
 */
public record TableOptions(
        TableType type,
        FlushPolicy flushPolicy,
        Long ttlSeconds,
        AccessLevel accessLevel,
        boolean useUserStorage,
        String storageId,
        String userIdColumn,
        Map<String, String> fieldDefaults) {

    public static final String DEFAULT_STORAGE_ID = "local";
    public static final String DEFAULT_USER_ID_COLUMN = "user_id";

    private static final Pattern STORAGE_ID_PATTERN = Pattern.compile("^[a-zA-Z0-9_-]+$");

    public TableOptions {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(storageId, "storageId");
        fieldDefaults = Map.copyOf(fieldDefaults);
    }

    public Optional<FlushPolicy> flushPolicyIfSet() {
        return Optional.ofNullable(flushPolicy);
    }

    public OptionalLong ttlMillis() {
        return ttlSeconds == null ? OptionalLong.empty() : OptionalLong.of(ttlSeconds * 1000L);
    }

    /**
     * Parses the definition options out of a table's {@code WITH} map, checking every rule of
     * DESIGN §4 in KalamDB's order: each value as it is parsed, then the cross-option rules, then
     * the storage's existence. Keys that are not definition options are ignored here; the factory
     * and the catalog reject unknown keys the Flink way.
     *
     * @param storageExists tells whether a storage id names a storage of the catalog
     * @throws TableValidationException naming the first rule broken
     */
    public static TableOptions parse(Map<String, String> options, Predicate<String> storageExists) {
        Map<String, String> values = canonicalValues(options);

        TableType type = parseType(values.get(TYPE));
        String storageId = values.getOrDefault(STORAGE_ID, DEFAULT_STORAGE_ID).trim();
        if (!STORAGE_ID_PATTERN.matcher(storageId).matches()) {
            throw new TableValidationException(
                    "Invalid STORAGE_ID '"
                            + storageId
                            + "'. Only alphanumeric, underscore, and hyphen allowed.");
        }
        FlushPolicy flushPolicy =
                values.containsKey(FLUSH_POLICY)
                        ? FlushPolicy.parse(values.get(FLUSH_POLICY))
                        : null;
        Long ttlSeconds =
                values.containsKey(TTL_SECONDS) ? parseTtl(values.get(TTL_SECONDS)) : null;
        AccessLevel accessLevel =
                values.containsKey(ACCESS_LEVEL)
                        ? parseAccessLevel(values.get(ACCESS_LEVEL))
                        : null;
        boolean useUserStorage =
                values.containsKey(USE_USER_STORAGE)
                        && parseBoolean(USE_USER_STORAGE, values.get(USE_USER_STORAGE));

        // Cross-option rules, in KalamDB's order.
        if (type == TableType.STREAM && ttlSeconds == null) {
            throw new TableValidationException("STREAM tables must specify 'TTL_SECONDS'");
        }
        if (type != TableType.STREAM && ttlSeconds != null) {
            throw new TableValidationException("TTL_SECONDS is only supported for STREAM tables");
        }
        if (type != TableType.SHARED && accessLevel != null) {
            throw new TableValidationException("ACCESS_LEVEL is only supported for SHARED tables");
        }
        if (type != TableType.USER && useUserStorage) {
            throw new TableValidationException(
                    "USE_USER_STORAGE is only supported for USER tables");
        }
        if (type == TableType.STREAM && flushPolicy != null) {
            throw new TableValidationException(
                    "FLUSH_POLICY is not supported for STREAM tables: they are never flushed");
        }
        String userIdColumn = options.get(USER_ID_COLUMN);
        if (type != TableType.USER && userIdColumn != null) {
            throw new TableValidationException(
                    "'" + USER_ID_COLUMN + "' is only supported for USER tables");
        }
        if (!storageExists.test(storageId)) {
            throw new TableValidationException("Storage '" + storageId + "' does not exist");
        }

        return new TableOptions(
                type,
                flushPolicy,
                ttlSeconds,
                type == TableType.SHARED
                        ? (accessLevel == null ? AccessLevel.PRIVATE : accessLevel)
                        : null,
                useUserStorage,
                storageId,
                type == TableType.USER
                        ? (userIdColumn == null ? DEFAULT_USER_ID_COLUMN : userIdColumn.trim())
                        : null,
                fieldDefaults(options));
    }

    /**
     * The options as a {@code WITH} map with canonical keys: what the catalog persists and what
     * {@link #parse} reads back to an equal value.
     */
    public Map<String, String> toOptionMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(TYPE, type.name());
        if (flushPolicy != null) {
            map.put(FLUSH_POLICY, flushPolicy.toString());
        }
        if (ttlSeconds != null) {
            map.put(TTL_SECONDS, Long.toString(ttlSeconds));
        }
        if (accessLevel != null) {
            map.put(ACCESS_LEVEL, accessLevel.name());
        }
        if (useUserStorage) {
            map.put(USE_USER_STORAGE, "true");
        }
        map.put(STORAGE_ID, storageId);
        if (userIdColumn != null) {
            map.put(USER_ID_COLUMN, userIdColumn);
        }
        new TreeMap<>(fieldDefaults)
                .forEach(
                        (column, value) -> map.put(TableOptionKeys.fieldDefaultKey(column), value));
        return map;
    }

    /** Reads each canonical key or its alias; giving both is an error, not a silent choice. */
    private static Map<String, String> canonicalValues(Map<String, String> options) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : TableOptionKeys.CANONICAL) {
            String alias = TableOptionKeys.alias(key);
            String canonicalValue = options.get(key);
            String aliasValue = options.get(alias);
            if (canonicalValue != null && aliasValue != null) {
                throw new TableValidationException(
                        "Cannot set option "
                                + key
                                + " twice: both '"
                                + key
                                + "' and its alias '"
                                + alias
                                + "' are given");
            }
            String value = canonicalValue != null ? canonicalValue : aliasValue;
            if (value != null) {
                values.put(key, value);
            }
        }
        return values;
    }

    private static TableType parseType(String value) {
        if (value == null) {
            return TableType.SHARED;
        }
        String upper = value.trim().toUpperCase(Locale.ROOT);
        if (upper.equals("SYSTEM")) {
            throw new TableValidationException("Cannot create SYSTEM tables via SQL");
        }
        for (TableType type : TableType.values()) {
            if (type.name().equals(upper)) {
                return type;
            }
        }
        throw new TableValidationException(
                "Invalid TYPE option '" + value + "'. Supported: USER, SHARED, STREAM");
    }

    private static long parseTtl(String value) {
        long ttl;
        try {
            ttl = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TableValidationException("Invalid TTL_SECONDS");
        }
        if (ttl < 0) {
            throw new TableValidationException("Invalid TTL_SECONDS");
        }
        if (ttl == 0) {
            throw new TableValidationException("TTL_SECONDS must be greater than 0");
        }
        if (ttl > Long.MAX_VALUE / 1000) {
            throw new TableValidationException("Invalid TTL_SECONDS");
        }
        return ttl;
    }

    private static AccessLevel parseAccessLevel(String value) {
        String upper = value.trim().toUpperCase(Locale.ROOT);
        for (AccessLevel level : AccessLevel.values()) {
            if (level.name().equals(upper)) {
                return level;
            }
        }
        throw new TableValidationException(
                "Invalid ACCESS_LEVEL '"
                        + value
                        + "'. Supported: PUBLIC, PRIVATE, RESTRICTED, DBA");
    }

    private static boolean parseBoolean(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default ->
                    throw new TableValidationException(
                            "Invalid " + key + " '" + value + "'. Expected true or false");
        };
    }

    private static Map<String, String> fieldDefaults(Map<String, String> options) {
        Map<String, String> defaults = new TreeMap<>();
        options.forEach(
                (key, value) -> {
                    if (key.startsWith(TableOptionKeys.FIELDS_PREFIX)
                            && key.endsWith(TableOptionKeys.DEFAULT_SUFFIX)
                            && key.length()
                                    > TableOptionKeys.FIELDS_PREFIX.length()
                                            + TableOptionKeys.DEFAULT_SUFFIX.length()) {
                        String column =
                                key.substring(
                                        TableOptionKeys.FIELDS_PREFIX.length(),
                                        key.length() - TableOptionKeys.DEFAULT_SUFFIX.length());
                        defaults.put(column, value.trim());
                    }
                });
        return defaults;
    }
}
