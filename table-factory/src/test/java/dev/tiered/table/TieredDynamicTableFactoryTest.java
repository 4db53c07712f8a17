package dev.tiered.table;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.factories.Factory;
import org.apache.flink.table.factories.FactoryUtil;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DDL-time validation through Flink's own factory helper. */
class TieredDynamicTableFactoryTest {

    private static final ResolvedSchema SCHEMA =
            new ResolvedSchema(
                    List.of(
                            Column.physical("id", DataTypes.BIGINT().notNull()),
                            Column.physical("user_id", DataTypes.STRING()),
                            Column.physical("content", DataTypes.STRING()),
                            Column.physical("created_at", DataTypes.TIMESTAMP(3))),
                    List.of(),
                    UniqueConstraint.primaryKey("PK_id", List.of("id")),
                    List.of());

    private static FactoryUtil.DefaultDynamicTableContext context(Map<String, String> options) {
        Map<String, String> all = new HashMap<>(options);
        all.putIfAbsent("path", "file:///tmp/warehouse");
        return contextWithExactly(all);
    }

    private static FactoryUtil.DefaultDynamicTableContext contextWithExactly(
            Map<String, String> options) {
        Map<String, String> all = new HashMap<>(options);
        all.put("connector", "tiered");
        CatalogTable table =
                CatalogTable.newBuilder()
                        .schema(Schema.newBuilder().fromResolvedSchema(SCHEMA).build())
                        .options(all)
                        .build();
        return new FactoryUtil.DefaultDynamicTableContext(
                ObjectIdentifier.of("cat", "chat", "messages"),
                new ResolvedCatalogTable(table, SCHEMA),
                Map.of(),
                new Configuration(),
                TieredDynamicTableFactoryTest.class.getClassLoader(),
                false);
    }

    private static TableDefinition definition(Map<String, String> options) {
        return new TieredDynamicTableFactory().definitionOf(context(options));
    }

    @Test
    void isDiscoveredAsConnectorTiered() {
        assertThat(ServiceLoader.load(Factory.class))
                .anySatisfy(f -> assertThat(f).isInstanceOf(TieredDynamicTableFactory.class));
        assertThat(new TieredDynamicTableFactory().factoryIdentifier()).isEqualTo("tiered");
    }

    @Test
    void canonicalKeysAndAliasesAreAccepted() {
        TableDefinition upper =
                definition(Map.of("TYPE", "USER", "FLUSH_POLICY", "rows:1000,interval:60"));
        TableDefinition lower =
                definition(Map.of("type", "USER", "flush-policy", "rows:1000,interval:60"));
        assertThat(upper.type()).isEqualTo(TableType.USER);
        assertThat(lower.options()).isEqualTo(upper.options());
        assertThat(upper.tableId()).isEqualTo("chat.messages");
    }

    @Test
    void jobOptionsAndFieldDefaultsAreKept() {
        TableDefinition table =
                definition(
                        Map.of(
                                "sink.bad-rows", "dead-letter",
                                "scan.mode", "latest",
                                "fields.created_at.default", "NOW()"));
        assertThat(table.properties())
                .containsEntry("sink.bad-rows", "dead-letter")
                .containsEntry("scan.mode", "latest")
                .doesNotContainKeys("connector", "path");
        assertThat(table.fieldDefaults()).containsKey("created_at");
    }

    @Test
    void unknownKeysFailTheFlinkWayNamingTheKey() {
        assertThatThrownBy(() -> definition(Map.of("flush_policy", "rows:1")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("Unsupported options found for 'tiered'")
                .hasMessageContaining("flush_policy");
        assertThatThrownBy(() -> definition(Map.of("fields.content.kind", "x")))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Unsupported option 'fields.content.kind': the only per-field option is"
                                + " 'fields.<column>.default'");
    }

    @Test
    void malformedJobOptionsFailTheFlinkWay() {
        assertThatThrownBy(() -> definition(Map.of("sink.bad-rows", "ignore")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("sink.bad-rows");
    }

    @Test
    void definitionRulesFailWithKalamDbMessages() {
        assertThatThrownBy(() -> definition(Map.of("TYPE", "STREAM")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("STREAM tables must specify 'TTL_SECONDS'");
        assertThatThrownBy(() -> definition(Map.of("flush-policy", "rows:0,interval:60")))
                .hasMessage("Row limit must be greater than 0");
        assertThatThrownBy(() -> definition(Map.of("STORAGE_ID", "s3_main")))
                .hasMessage("Storage 's3_main' does not exist");
    }

    @Test
    void pathIsRequiredWithoutACatalog() {
        FactoryUtil.DefaultDynamicTableContext context = contextWithExactly(Map.of("TYPE", "USER"));
        assertThatThrownBy(() -> new TieredDynamicTableFactory().definitionOf(context))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("path");
    }
}
