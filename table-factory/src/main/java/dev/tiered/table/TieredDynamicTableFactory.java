package dev.tiered.table;

import dev.tiered.sink.SinkOptions;
import dev.tiered.source.SourceOptions;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableOptionKeys;
import dev.tiered.state.TableOptions;
import dev.tiered.state.TieredException;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
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

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code 'connector' = 'tiered'}: validates a table's options at DDL time with the messages of
 * DESIGN §4 and turns it into a {@link TableDefinition}.
 *
 * <p>Status: the write path (connector-sink) and read path (connector-source) are not part of this
 * release yet; creating a source or sink fails after validation with a message saying so.
 */
@PublicEvolving
public final class TieredDynamicTableFactory
        implements DynamicTableSourceFactory, DynamicTableSinkFactory {

    public static final String IDENTIFIER = "tiered";

    /** Keys the connector itself consumes and that are not part of the table definition. */
    private static final Set<String> CONNECTOR_KEYS =
            Set.of(FactoryUtil.CONNECTOR.key(), TieredTableOptions.PATH.key());

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(TieredTableOptions.PATH);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(
                TieredTableOptions.TYPE,
                TieredTableOptions.FLUSH_POLICY,
                TieredTableOptions.TTL_SECONDS,
                TieredTableOptions.ACCESS_LEVEL,
                TieredTableOptions.USE_USER_STORAGE,
                TieredTableOptions.STORAGE_ID,
                TieredTableOptions.USER_ID_COLUMN,
                SinkOptions.BAD_ROWS,
                SinkOptions.FLUSH_ON_END_OF_INPUT,
                SinkOptions.HOT_MAX_BYTES,
                FactoryUtil.SINK_PARALLELISM,
                SourceOptions.SCAN_MODE,
                SourceOptions.SCAN_COMMIT,
                SourceOptions.SCAN_TIMESTAMP,
                SourceOptions.DISCOVERY_INTERVAL);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        TableDefinition definition = definitionOf(context);
        throw new ValidationException(
                "Cannot create a tiered sink for table "
                        + definition.tableId()
                        + ": the write path is not part of this release yet");
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        TableDefinition definition = definitionOf(context);
        throw new ValidationException(
                "Cannot create a tiered source for table "
                        + definition.tableId()
                        + ": the read path is not part of this release yet");
    }

    /**
     * Validates a table's options the Flink way (unknown keys fail, naming the key) and then by the
     * rules of DESIGN §4, and builds its definition. The namespace is the Flink database name.
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
            return TableDefinition.create(
                    id.getDatabaseName(),
                    id.getObjectName(),
                    columns,
                    primaryKey,
                    options,
                    TableOptions.DEFAULT_STORAGE_ID::equals);
        } catch (TieredException e) {
            throw new ValidationException(e.getMessage(), e);
        }
    }
}
