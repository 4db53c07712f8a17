package dev.tiered.table;

import dev.tiered.sink.SinkOptions;
import dev.tiered.source.LookupOptions;
import dev.tiered.source.SourceOptions;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableOptionKeys;
import dev.tiered.state.TableValidationException;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.maint.MaintenanceOptions;
import dev.tiered.table.internal.AccessControl;
import dev.tiered.table.internal.Session;
import dev.tiered.table.internal.Storages;
import dev.tiered.table.internal.SystemTableSource;
import dev.tiered.table.internal.SystemTables;
import dev.tiered.table.internal.TieredTableSink;
import dev.tiered.table.internal.TieredTableSource;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code 'connector' = 'tiered'}: validates a table's options at DDL time with the messages of
 * DESIGN §4, turns it into a {@link TableDefinition} and creates its sink.
 *
 * <p>Two modes. Found through {@code 'connector' = 'tiered'}, the table lives at {@code 'path'}
 * (the only storage, {@code local}), under the Flink database and table name. Returned by a tiered
 * catalog, the table is the one stored in the warehouse (its stored definition, at the storage its
 * {@code STORAGE_ID} names); the catalog's system tables come through here too.
 *
 * <p>Sources are {@link TieredTableSource}s: a bounded scan in batch runtime mode, the streaming
 * scan of {@code scan.mode} in streaming runtime mode, and lookups; the session's access is checked
 * here and its user filter forced on USER tables.
 */
@PublicEvolving
public final class TieredDynamicTableFactory
        implements DynamicTableSourceFactory, DynamicTableSinkFactory {

    public static final String IDENTIFIER = "tiered";

    /** Keys the connector itself consumes and that are not part of the table definition. */
    private static final Set<String> CONNECTOR_KEYS =
            Set.of(FactoryUtil.CONNECTOR.key(), TieredTableOptions.PATH.key());

    /** Set for tables a catalog returns: the catalog's storages. */
    private final Storages catalogStorages;

    public TieredDynamicTableFactory() {
        this(null);
    }

    private TieredDynamicTableFactory(Storages catalogStorages) {
        this.catalogStorages = catalogStorages;
    }

    /** The factory of a tiered catalog's tables. */
    @Internal
    public static TieredDynamicTableFactory forCatalog(Storages storages) {
        return new TieredDynamicTableFactory(storages);
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return catalogStorages == null ? Set.of(TieredTableOptions.PATH) : Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = new LinkedHashSet<>();
        if (catalogStorages != null) {
            options.add(TieredTableOptions.PATH);
        }
        options.addAll(
                List.of(
                        TieredTableOptions.TYPE,
                        TieredTableOptions.FLUSH_POLICY,
                        TieredTableOptions.TTL_SECONDS,
                        TieredTableOptions.ACCESS_LEVEL,
                        TieredTableOptions.USE_USER_STORAGE,
                        TieredTableOptions.STORAGE_ID,
                        TieredTableOptions.USER_ID_COLUMN,
                        TieredTableOptions.COMPACTION_TARGET_FILE_SIZE,
                        TieredTableOptions.COMPACTION_MAX_FILES,
                        TieredTableOptions.LOG_RETAIN_COMMITS,
                        TieredTableOptions.LOG_RETAIN_TIME,
                        TieredTableOptions.ORPHAN_GRACE_PERIOD,
                        SinkOptions.BAD_ROWS,
                        SinkOptions.FLUSH_ON_END_OF_INPUT,
                        SinkOptions.HOT_MAX_BYTES,
                        SinkOptions.MAINTENANCE_INTERVAL,
                        SinkOptions.HOT_LOCAL_DIRS,
                        FactoryUtil.SINK_PARALLELISM,
                        SourceOptions.SCAN_MODE,
                        SourceOptions.SCAN_COMMIT,
                        SourceOptions.SCAN_TIMESTAMP,
                        SourceOptions.DISCOVERY_INTERVAL,
                        LookupOptions.CACHE,
                        LookupOptions.PARTIAL_CACHE_MAX_ROWS,
                        LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_WRITE,
                        LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY,
                        LookupOptions.REFRESH_INTERVAL));
        return options;
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        if (isForeign(context)) {
            return FactoryUtil.discoverFactory(
                            context.getClassLoader(),
                            DynamicTableSinkFactory.class,
                            connector(context))
                    .createDynamicTableSink(context);
        }
        if (systemKind(context) != null) {
            throw new ValidationException(
                    "Cannot write "
                            + context.getObjectIdentifier().asSummaryString()
                            + ": system tables are read-only");
        }
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validateExcept(TableOptionKeys.FIELDS_PREFIX);
        ResolvedTable table = resolve(context);
        ReadableConfig options = helper.getOptions();
        TieredTableSink.Settings settings =
                new TieredTableSink.Settings(
                        options.get(SinkOptions.BAD_ROWS),
                        options.get(SinkOptions.FLUSH_ON_END_OF_INPUT),
                        options.get(SinkOptions.HOT_MAX_BYTES),
                        options.getOptional(SinkOptions.HOT_LOCAL_DIRS).orElse(List.of()),
                        options.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null),
                        options.get(SinkOptions.MAINTENANCE_INTERVAL));
        Storages storages =
                catalogStorages != null ? catalogStorages : Storages.local(table.baseUri());
        return new TieredTableSink(
                table.baseUri(),
                table.definition(),
                settings,
                Session.of(context.getConfiguration()),
                storages.userStorages());
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        if (isForeign(context)) {
            return FactoryUtil.discoverFactory(
                            context.getClassLoader(),
                            DynamicTableSourceFactory.class,
                            connector(context))
                    .createDynamicTableSource(context);
        }
        Session session = Session.of(context.getConfiguration());
        SystemTables.Kind kind = systemKind(context);
        if (kind != null) {
            String name = context.getObjectIdentifier().getObjectName();
            String viewOf = context.getCatalogTable().getOptions().get(SystemTables.OPTION_VIEW_OF);
            AccessControl.checkSystemTable(
                    session,
                    viewOf == null ? SystemTables.DATABASE + "." + name : "`" + name + "`");
            return new SystemTableSource(kind, catalogStorages, viewOf);
        }
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validateExcept(TableOptionKeys.FIELDS_PREFIX);
        ResolvedTable table = resolve(context);
        AccessControl.checkRead(session, table.definition());
        if (catalogStorages == null) {
            ensureExists(table);
        }
        List<String> columns = new ArrayList<>();
        for (Column column : context.getCatalogTable().getResolvedSchema().getColumns()) {
            if (column.isPhysical()) {
                columns.add(column.getName());
            }
        }
        boolean bounded =
                context.getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
                        == RuntimeExecutionMode.BATCH;
        return new TieredTableSource(
                table.baseUri(),
                table.definition(),
                columns,
                session,
                bounded,
                Configuration.fromMap(context.getCatalogTable().getOptions()));
    }

    /**
     * A plain-connector table is created by its first writer; a read before that sees the empty
     * table its DDL declares.
     */
    private static void ensureExists(ResolvedTable table) {
        try {
            TieredTable.create(new FlinkFileIO(), new Path(table.baseUri()), table.definition());
        } catch (TableValidationException e) {
            // Another definition is stored there: the read uses the stored one.
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open table " + table.definition().tableId(), e);
        }
    }

    /**
     * Keys of the options that configure one job's sink or source ({@code sink.*}, {@code hot.*},
     * {@code scan.*}, {@code lookup.*}), not the table.
     */
    private static boolean isJobSetting(String key) {
        return key.startsWith("sink.")
                || key.startsWith("hot.")
                || key.startsWith("scan.")
                || key.startsWith("lookup.");
    }

    private static TableDefinition withoutJobSettings(TableDefinition definition) {
        Map<String, String> properties = new HashMap<>(definition.properties());
        if (!properties.keySet().removeIf(TieredDynamicTableFactory::isJobSetting)) {
            return definition;
        }
        return new TableDefinition(
                definition.namespace(),
                definition.name(),
                definition.schemaVersion(),
                definition.columns(),
                definition.primaryKey(),
                definition.options(),
                definition.fieldDefaults(),
                properties);
    }

    /** A table's definition and the base URI of the storage it lives in. */
    private record ResolvedTable(String baseUri, TableDefinition definition) {}

    private ResolvedTable resolve(Context context) {
        if (catalogStorages == null) {
            // The stored definition holds what describes the table, not the settings of one job:
            // two jobs (or one with an OPTIONS hint) may write with other sink/scan settings.
            TableDefinition definition = withoutJobSettings(definitionOf(context));
            return new ResolvedTable(
                    context.getCatalogTable().getOptions().get(TieredTableOptions.PATH.key()),
                    definition);
        }
        ObjectIdentifier id = context.getObjectIdentifier();
        try {
            TieredTable table =
                    catalogStorages
                            .find(id.getDatabaseName(), id.getObjectName())
                            .orElseThrow(
                                    () ->
                                            new ValidationException(
                                                    "Cannot use table "
                                                            + id.asSummaryString()
                                                            + ": it is not in the warehouse"));
            TableDefinition definition = table.definition();
            return new ResolvedTable(
                    catalogStorages.uri(definition.options().storageId()), definition);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open table " + id.asSummaryString(), e);
        }
    }

    /**
     * Validates a table's options the Flink way (unknown keys fail, naming the key) and then by the
     * rules of DESIGN §4, and builds its definition (version 1). The namespace is the Flink
     * database name.
     *
     * @throws ValidationException with the message of the first rule broken
     */
    public TableDefinition definitionOf(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        // 'fields.<col>.default' keys are open-ended; everything else must be declared.
        helper.validateExcept(TableOptionKeys.FIELDS_PREFIX);
        Map<String, String> options = new HashMap<>(context.getCatalogTable().getOptions());
        for (String key : options.keySet()) {
            if (key.startsWith(TableOptionKeys.FIELDS_PREFIX)
                    && !key.endsWith(TableOptionKeys.DEFAULT_SUFFIX)) {
                throw new ValidationException(
                        "Unsupported option '"
                                + key
                                + "': the only per-field option is 'fields.<column>.default'");
            }
        }
        options.keySet().removeAll(CONNECTOR_KEYS);

        ObjectIdentifier id = context.getObjectIdentifier();
        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        List<Map.Entry<String, LogicalType>> columns = new ArrayList<>();
        for (Column column : schema.getColumns()) {
            if (column.isPhysical()) {
                columns.add(
                        new AbstractMap.SimpleImmutableEntry<>(
                                column.getName(), column.getDataType().getLogicalType()));
            }
        }
        List<String> primaryKey =
                schema.getPrimaryKey().map(UniqueConstraint::getColumns).orElse(List.of());
        try {
            TableDefinition definition =
                    TableDefinition.create(
                            id.getDatabaseName(),
                            id.getObjectName(),
                            columns,
                            primaryKey,
                            options,
                            catalogStorages == null
                                    ? dev.tiered.state.TableOptions.DEFAULT_STORAGE_ID::equals
                                    : catalogStorages::exists);
            MaintenanceOptions.of(definition);
            return definition;
        } catch (TieredException e) {
            throw new ValidationException(e.getMessage(), e);
        }
    }

    private SystemTables.Kind systemKind(Context context) {
        if (catalogStorages == null) {
            return null;
        }
        String kind = context.getCatalogTable().getOptions().get(SystemTables.OPTION_KIND);
        return kind == null ? null : SystemTables.Kind.valueOf(kind);
    }

    private static String connector(Context context) {
        return context.getCatalogTable().getOptions().get(FactoryUtil.CONNECTOR.key());
    }

    /** A catalog's factory is used for all its tables; other connectors are handed on. */
    private boolean isForeign(Context context) {
        String connector = connector(context);
        return catalogStorages != null && connector != null && !IDENTIFIER.equals(connector);
    }
}
