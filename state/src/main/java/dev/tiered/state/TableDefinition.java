package dev.tiered.state;

import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One version of a table's definition: its columns, key, type and options. Stored as {@code
 * _table/schema-<v>.json} (see {@link dev.tiered.state.meta.TableDefinitionParser}); every data
 * file records the schema version it was written with.
 *
 * <p>Build new definitions with {@link #create}, which checks every rule of DESIGN §4.
 *
 * @param primaryKey empty (STREAM tables only) or one column name
 * @param fieldDefaults column name to the default the sink fills when a row brings null
 * @param properties the table's other connector options ({@code sink.*}, {@code scan.*}, ...), kept
 *     with the definition so that every job sees the same table
 */
public record TableDefinition(
        String namespace,
        String name,
        int schemaVersion,
        List<Column> columns,
        List<String> primaryKey,
        TableOptions options,
        Map<String, FieldDefault> fieldDefaults,
        Map<String, String> properties) {

    /** Columns the storage format adds; users cannot declare them. */
    public static final Set<String> RESERVED_COLUMNS =
            Set.of("_seq", "_op", "_scope", "_deleted", "_commit_seq");

    /** The column types tiered tables store (format v1). */
    public static final Set<LogicalTypeRoot> SUPPORTED_TYPES =
            EnumSet.of(
                    LogicalTypeRoot.CHAR,
                    LogicalTypeRoot.VARCHAR,
                    LogicalTypeRoot.BOOLEAN,
                    LogicalTypeRoot.BINARY,
                    LogicalTypeRoot.VARBINARY,
                    LogicalTypeRoot.DECIMAL,
                    LogicalTypeRoot.TINYINT,
                    LogicalTypeRoot.SMALLINT,
                    LogicalTypeRoot.INTEGER,
                    LogicalTypeRoot.BIGINT,
                    LogicalTypeRoot.FLOAT,
                    LogicalTypeRoot.DOUBLE,
                    LogicalTypeRoot.DATE,
                    LogicalTypeRoot.TIME_WITHOUT_TIME_ZONE,
                    LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE,
                    LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE);

    private static final Pattern NAME_PATTERN = Pattern.compile("^[a-zA-Z0-9_]+$");

    public TableDefinition {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        if (schemaVersion <= 0) {
            throw new IllegalArgumentException(
                    "Cannot create definition of "
                            + namespace
                            + "."
                            + name
                            + ": version must be > 0");
        }
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        fieldDefaults = Map.copyOf(fieldDefaults);
        properties = Map.copyOf(properties);
    }

    /**
     * Creates version 1 of a table definition, checking every rule of DESIGN §4 in KalamDB's order:
     * names, columns, options (see {@link TableOptions#parse}), primary key, user-id column, field
     * defaults.
     *
     * @param columns the physical columns in order; ids are assigned 1..n
     * @param options the table's {@code WITH} options; keys that are not definition options are
     *     kept as {@link #properties}
     * @throws TableValidationException naming the first rule broken
     */
    public static TableDefinition create(
            String namespace,
            String name,
            List<Map.Entry<String, LogicalType>> columns,
            List<String> primaryKey,
            Map<String, String> options,
            Predicate<String> storageExists) {
        checkName("namespace", namespace);
        checkName("table name", name);
        String tableId = namespace + "." + name;

        List<Column> built = new ArrayList<>(columns.size());
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, LogicalType> entry : columns) {
            String column = entry.getKey();
            if (RESERVED_COLUMNS.contains(column.toLowerCase(Locale.ROOT))) {
                throw new TableValidationException(
                        "Cannot create table "
                                + tableId
                                + ": column name '"
                                + column
                                + "' is reserved");
            }
            if (!seen.add(column.toLowerCase(Locale.ROOT))) {
                throw new TableValidationException(
                        "Cannot create table "
                                + tableId
                                + ": duplicate column name '"
                                + column
                                + "' (column names are case-insensitive)");
            }
            checkSupported(tableId, column, entry.getValue());
            built.add(new Column(built.size() + 1, column, entry.getValue()));
        }

        TableOptions parsed = TableOptions.parse(options, storageExists);
        return of(namespace, name, 1, built, primaryKey, parsed, propertiesOf(options));
    }

    /**
     * Builds a definition from parsed parts, checking the rules that relate options to columns
     * (primary key, user-id column, field defaults). Used for new versions and when reading a
     * stored version back.
     */
    public static TableDefinition of(
            String namespace,
            String name,
            int schemaVersion,
            List<Column> columns,
            List<String> primaryKey,
            TableOptions options,
            Map<String, String> properties) {
        String tableId = namespace + "." + name;
        Map<String, Column> byName = new LinkedHashMap<>();
        columns.forEach(c -> byName.put(c.name(), c));

        if (primaryKey.isEmpty() && options.type() != TableType.STREAM) {
            throw new TableValidationException(
                    options.type().displayName() + " tables require a PRIMARY KEY column");
        }
        if (primaryKey.size() > 1) {
            throw new TableValidationException("Composite PRIMARY KEYs are not supported yet");
        }
        for (String key : primaryKey) {
            if (!byName.containsKey(key)) {
                throw new TableValidationException(
                        "PRIMARY KEY column '" + key + "' not found in column list");
            }
        }

        if (options.type() == TableType.USER) {
            Column userId = byName.get(options.userIdColumn());
            if (userId == null) {
                throw new TableValidationException(
                        "Cannot create table "
                                + tableId
                                + ": user id column '"
                                + options.userIdColumn()
                                + "' does not exist (set '"
                                + TableOptionKeys.USER_ID_COLUMN
                                + "')");
            }
            if (!userId.type().is(LogicalTypeFamily.CHARACTER_STRING)) {
                throw new TableValidationException(
                        "Cannot create table "
                                + tableId
                                + ": user id column '"
                                + userId.name()
                                + "' must be a STRING, not "
                                + userId.type().asSummaryString());
            }
        }

        Map<String, FieldDefault> defaults = new LinkedHashMap<>();
        options.fieldDefaults()
                .forEach(
                        (columnName, text) -> {
                            Column column = byName.get(columnName);
                            if (column == null) {
                                throw new TableValidationException(
                                        "Cannot set default of column '"
                                                + columnName
                                                + "' in table "
                                                + tableId
                                                + ": no such column");
                            }
                            if (primaryKey.contains(columnName)) {
                                throw new TableValidationException(
                                        "Cannot set default of column '"
                                                + columnName
                                                + "' in table "
                                                + tableId
                                                + ": key columns take no default (Flink rejects"
                                                + " null keys before the sink; write SNOWFLAKE_ID()"
                                                + " in the INSERT instead)");
                            }
                            defaults.put(columnName, FieldDefault.parse(tableId, column, text));
                        });

        return new TableDefinition(
                namespace, name, schemaVersion, columns, primaryKey, options, defaults, properties);
    }

    /**
     * The next version of this definition (ALTER TABLE): the same columns in the same order with
     * their ids, then new nullable columns (ids continue above the highest); options and properties
     * replaced. The table's identity cannot change: primary key, TYPE, STORAGE_ID and the user-id
     * column stay; a column cannot be dropped, renamed or retyped.
     *
     * @param columns every physical column of the new version, in order
     * @throws TableValidationException naming the change that is not allowed
     */
    public TableDefinition evolve(
            List<Map.Entry<String, LogicalType>> columns,
            List<String> primaryKey,
            Map<String, String> options,
            Predicate<String> storageExists) {
        String tableId = tableId();
        if (columns.size() < this.columns.size()) {
            throw new TableValidationException(
                    "Cannot alter table " + tableId + ": columns cannot be dropped");
        }
        List<Column> built = new ArrayList<>(this.columns);
        int nextId = this.columns.stream().mapToInt(Column::id).max().orElse(0) + 1;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i).getKey();
            LogicalType type = columns.get(i).getValue();
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw new TableValidationException(
                        "Cannot alter table "
                                + tableId
                                + ": duplicate column name '"
                                + name
                                + "' (column names are case-insensitive)");
            }
            if (i < this.columns.size()) {
                Column old = this.columns.get(i);
                if (!old.name().equals(name) || !old.type().equals(type)) {
                    throw new TableValidationException(
                            "Cannot alter table "
                                    + tableId
                                    + ": column '"
                                    + old.name()
                                    + "' cannot be dropped, renamed or retyped (only new columns"
                                    + " can be added at the end)");
                }
                continue;
            }
            if (RESERVED_COLUMNS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new TableValidationException(
                        "Cannot alter table "
                                + tableId
                                + ": column name '"
                                + name
                                + "' is reserved");
            }
            if (!type.isNullable()) {
                throw new TableValidationException(
                        "Cannot alter table "
                                + tableId
                                + ": new column '"
                                + name
                                + "' must be nullable (older rows read it as NULL)");
            }
            checkSupported(tableId, name, type);
            built.add(new Column(nextId++, name, type));
        }
        if (!primaryKey.equals(this.primaryKey)) {
            throw new TableValidationException(
                    "Cannot alter table " + tableId + ": the primary key cannot change");
        }
        // The identity first: a changed TYPE would otherwise fail on the options that only the
        // old type allows, which hides what was really refused.
        for (String key : List.of(TableOptionKeys.TYPE, TableOptionKeys.STORAGE_ID)) {
            String value = options.get(key);
            if (value == null) {
                value = options.get(TableOptionKeys.alias(key));
            }
            String current =
                    key.equals(TableOptionKeys.TYPE)
                            ? this.options.type().name()
                            : this.options.storageId();
            if (value != null && !value.trim().equalsIgnoreCase(current)) {
                throw identityChange(tableId);
            }
        }
        TableOptions parsed = TableOptions.parse(options, storageExists);
        if (parsed.type() != this.options.type()
                || !parsed.storageId().equals(this.options.storageId())
                || !java.util.Objects.equals(parsed.userIdColumn(), this.options.userIdColumn())) {
            throw identityChange(tableId);
        }
        return of(
                namespace,
                name,
                schemaVersion + 1,
                built,
                primaryKey,
                parsed,
                propertiesOf(options));
    }

    private static TableValidationException identityChange(String tableId) {
        return new TableValidationException(
                "Cannot alter table "
                        + tableId
                        + ": TYPE, STORAGE_ID and 'user-id.column' cannot change");
    }

    /** {@code "namespace.table"}, as manifests and system tables name it. */
    public String tableId() {
        return namespace + "." + name;
    }

    public TableType type() {
        return options.type();
    }

    /** The physical row type: the columns in order. */
    public RowType rowType() {
        return RowType.of(
                columns.stream().map(Column::type).toArray(LogicalType[]::new),
                columns.stream().map(Column::name).toArray(String[]::new));
    }

    public Optional<Column> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }

    /** Position of the column in the row, or -1. */
    public int columnIndex(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }

    /** Position of the primary key column, or -1 for a STREAM table without one. */
    public int primaryKeyIndex() {
        return primaryKey.isEmpty() ? -1 : columnIndex(primaryKey.get(0));
    }

    /** Position of the user id column of a USER table, or -1. */
    public int userIdIndex() {
        return options.userIdColumn() == null ? -1 : columnIndex(options.userIdColumn());
    }

    /** The {@code WITH} map that recreates this definition: options, then properties. */
    public Map<String, String> toOptionMap() {
        Map<String, String> map = new LinkedHashMap<>(options.toOptionMap());
        map.putAll(properties);
        return map;
    }

    private static void checkName(String what, String value) {
        if (value == null || !NAME_PATTERN.matcher(value).matches()) {
            throw new TableValidationException(
                    "Invalid "
                            + what
                            + " '"
                            + value
                            + "'. Only alphanumeric and underscore allowed.");
        }
    }

    private static void checkSupported(String tableId, String column, LogicalType type) {
        if (!SUPPORTED_TYPES.contains(type.getTypeRoot())) {
            throw new TableValidationException(
                    "Cannot create table "
                            + tableId
                            + ": column '"
                            + column
                            + "' has type "
                            + type.asSummaryString()
                            + ", which tiered tables do not store (supported: CHAR, VARCHAR/STRING,"
                            + " BOOLEAN, BINARY, VARBINARY/BYTES, DECIMAL, TINYINT, SMALLINT, INT,"
                            + " BIGINT, FLOAT, DOUBLE, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ)");
        }
    }

    /** The options that are not definition options: job-level connector options. */
    static Map<String, String> propertiesOf(Map<String, String> options) {
        Map<String, String> properties = new LinkedHashMap<>();
        options.forEach(
                (key, value) -> {
                    if (!isDefinitionKey(key)) {
                        properties.put(key, value);
                    }
                });
        return properties;
    }

    /** Whether a {@code WITH} key belongs to the table definition (DESIGN §4). */
    public static boolean isDefinitionKey(String key) {
        if (key.equals(TableOptionKeys.USER_ID_COLUMN)
                || (key.startsWith(TableOptionKeys.FIELDS_PREFIX)
                        && key.endsWith(TableOptionKeys.DEFAULT_SUFFIX))) {
            return true;
        }
        for (String canonical : TableOptionKeys.CANONICAL) {
            if (key.equals(canonical) || key.equals(TableOptionKeys.alias(canonical))) {
                return true;
            }
        }
        return false;
    }
}
