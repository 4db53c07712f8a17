package dev.tiered.table.catalog;

import dev.tiered.state.Column;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredException;
import dev.tiered.state.maint.MaintenanceOptions;
import dev.tiered.table.TieredDynamicTableFactory;
import dev.tiered.table.TieredTableOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.utils.TypeConversions;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Conversions between stored table definitions and Flink catalog tables. */
final class CatalogTables {
    private static final Set<String> KNOWN_PROPERTIES = knownProperties();

    private CatalogTables() {}

    /** The catalog table of a stored definition: its columns, key and {@code WITH} options. */
    static CatalogTable toCatalogTable(TableDefinition definition) {
        Schema.Builder schema = Schema.newBuilder();
        for (Column column : definition.columns()) {
            schema.column(column.name(), TypeConversions.fromLogicalToDataType(column.type()));
        }
        if (!definition.primaryKey().isEmpty()) {
            schema.primaryKey(definition.primaryKey());
        }
        return CatalogTable.newBuilder()
                .schema(schema.build())
                .comment(definition.type() + " table " + definition.tableId())
                .options(definition.toOptionMap())
                .build();
    }

    /**
     * The next definition version for an ALTER TABLE: unknown keys fail the Flink way, the rest by
     * {@link TableDefinition#evolve}.
     *
     * @throws ValidationException naming the change that is not allowed
     */
    static TableDefinition nextVersion(
            TableDefinition current,
            ResolvedCatalogTable altered,
            Predicate<String> storageExists) {
        try {
            Map<String, String> options = definitionOptions(altered.getOptions());
            for (String key : options.keySet()) {
                if (!TableDefinition.isDefinitionKey(key) && !isKnownProperty(key)) {
                    throw new ValidationException(
                            "Unsupported options found for '"
                                    + TieredDynamicTableFactory.IDENTIFIER
                                    + "': "
                                    + key);
                }
            }
            TableDefinition next =
                    current.evolve(
                            physicalColumns(altered.getResolvedSchema()),
                            primaryKey(altered.getResolvedSchema()),
                            options,
                            storageExists);
            MaintenanceOptions.of(next);
            return next;
        } catch (TieredException e) {
            throw new ValidationException(e.getMessage(), e);
        }
    }

    /** A table's {@code WITH} options without the connector's own keys. */
    static Map<String, String> definitionOptions(Map<String, String> options) {
        Map<String, String> result = new LinkedHashMap<>(options);
        result.remove(FactoryUtil.CONNECTOR.key());
        result.remove(TieredTableOptions.PATH.key());
        return result;
    }

    /** Whether a non-definition key is an option the connector knows (sink.*, scan.*, ...). */
    static boolean isKnownProperty(String key) {
        return KNOWN_PROPERTIES.contains(key);
    }

    static List<Map.Entry<String, LogicalType>> physicalColumns(ResolvedSchema schema) {
        List<Map.Entry<String, LogicalType>> columns = new ArrayList<>();
        for (org.apache.flink.table.catalog.Column column : schema.getColumns()) {
            if (column.isPhysical()) {
                columns.add(
                        new AbstractMap.SimpleImmutableEntry<>(
                                column.getName(), column.getDataType().getLogicalType()));
            }
        }
        return columns;
    }

    static List<String> primaryKey(ResolvedSchema schema) {
        return schema.getPrimaryKey().map(UniqueConstraint::getColumns).orElse(List.of());
    }

    private static Set<String> knownProperties() {
        Set<String> keys = new HashSet<>();
        for (ConfigOption<?> option : new TieredDynamicTableFactory().optionalOptions()) {
            keys.add(option.key());
            for (FallbackKey fallback : option.fallbackKeys()) {
                keys.add(fallback.getKey());
            }
        }
        return keys;
    }
}
