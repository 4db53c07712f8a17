package dev.tiered.state.meta;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.testing.TestTables;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableDefinitionParserTest {

    private static TableDefinition messages() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("TYPE", "USER");
        options.put("FLUSH_POLICY", "rows:1000,interval:60");
        options.put("fields.created_at.default", "NOW()");
        options.put("sink.bad-rows", "skip");
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                options,
                id -> true);
    }

    @Test
    void everySupportedTypeRoundTrips() {
        TableDefinition table =
                TableDefinition.create(
                        "types",
                        "all_types",
                        TestTables.columns(
                                "id BIGINT NOT NULL",
                                "c CHAR(3)",
                                "vc VARCHAR(20)",
                                "s STRING",
                                "b BOOLEAN",
                                "bin BINARY(4)",
                                "vb VARBINARY(9)",
                                "by BYTES",
                                "d DECIMAL(38, 10)",
                                "ti TINYINT",
                                "si SMALLINT",
                                "i INT NOT NULL",
                                "bi BIGINT",
                                "f FLOAT",
                                "db DOUBLE",
                                "dt DATE",
                                "tm TIME(3)",
                                "ts TIMESTAMP(6)",
                                "ltz TIMESTAMP_LTZ(3)"),
                        List.of("id"),
                        Map.of("STORAGE_ID", "local", "ACCESS_LEVEL", "PUBLIC"),
                        id -> true);
        TableDefinition back = TableDefinitionParser.fromJson(TableDefinitionParser.toJson(table));
        assertThat(back).isEqualTo(table);
        assertThat(back.rowType()).isEqualTo(table.rowType());
    }

    @Test
    void userTableWithDefaultsRoundTrips() {
        TableDefinition table = messages();
        TableDefinition back = TableDefinitionParser.fromJson(TableDefinitionParser.toJson(table));
        assertThat(back).isEqualTo(table);
        assertThat(back.properties()).containsEntry("sink.bad-rows", "skip");
    }

    @Test
    void writesTheGoldenFile() throws IOException {
        assertThat(TableDefinitionParser.toJson(messages()))
                .isEqualTo(resource("schema-golden-v1.json"));
    }

    @Test
    void readsTheGoldenFile() throws IOException {
        assertThat(TableDefinitionParser.fromJson(resource("schema-golden-v1.json")))
                .isEqualTo(messages());
    }

    @Test
    void ignoresUnknownFieldsAndRefusesNewerFormats() throws IOException {
        String golden = resource("schema-golden-v1.json");
        String withExtra = golden.replaceFirst("\\{", "{\"added_later\": [1, 2],");
        assertThat(TableDefinitionParser.fromJson(withExtra)).isEqualTo(messages());

        String newer = golden.replace("\"format_version\" : 1", "\"format_version\" : 2");
        assertThatThrownBy(() -> TableDefinitionParser.fromJson(newer))
                .hasMessage(
                        "Cannot read table definition: format_version 2 is newer than this"
                                + " connector reads (1)");
        String missing = golden.replace("\"table_name\" : \"messages\",", "");
        assertThatThrownBy(() -> TableDefinitionParser.fromJson(missing))
                .hasMessage("Cannot parse missing field: table_name");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TableDefinitionParserTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
