package dev.tiered.state.meta;

import dev.tiered.state.Column;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableOptions;
import dev.tiered.state.TableType;

import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes {@code _table/schema-<v>.json}. Column types are Flink's serializable SQL type
 * strings ({@code BIGINT NOT NULL}, {@code TIMESTAMP(3)}), so any Flink version reads them back.
 * Unknown fields are ignored; a newer {@code format_version} is refused.
 */
public final class TableDefinitionParser {
    public static final int FORMAT_VERSION = 1;

    private static final String FORMAT_VERSION_FIELD = "format_version";
    private static final String SCHEMA_VERSION = "schema_version";
    private static final String TABLE_ID = "table_id";
    private static final String NAMESPACE = "namespace";
    private static final String TABLE_NAME = "table_name";
    private static final String TABLE_TYPE = "table_type";
    private static final String COLUMNS = "columns";
    private static final String COLUMN_ID = "id";
    private static final String COLUMN_NAME = "name";
    private static final String COLUMN_TYPE = "type";
    private static final String PRIMARY_KEY = "primary_key";
    private static final String OPTIONS = "options";
    private static final String PROPERTIES = "properties";

    private TableDefinitionParser() {}

    public static String toJson(TableDefinition definition) {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out)) {
            gen.useDefaultPrettyPrinter();
            gen.writeStartObject();
            gen.writeNumberField(FORMAT_VERSION_FIELD, FORMAT_VERSION);
            gen.writeNumberField(SCHEMA_VERSION, definition.schemaVersion());
            gen.writeStringField(TABLE_ID, definition.tableId());
            gen.writeStringField(NAMESPACE, definition.namespace());
            gen.writeStringField(TABLE_NAME, definition.name());
            gen.writeStringField(TABLE_TYPE, definition.type().name());
            gen.writeArrayFieldStart(COLUMNS);
            for (Column column : definition.columns()) {
                gen.writeStartObject();
                gen.writeNumberField(COLUMN_ID, column.id());
                gen.writeStringField(COLUMN_NAME, column.name());
                gen.writeStringField(COLUMN_TYPE, column.type().asSerializableString());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart(PRIMARY_KEY);
            for (String key : definition.primaryKey()) {
                gen.writeString(key);
            }
            gen.writeEndArray();
            Json.writeStringMap(gen, OPTIONS, definition.options().toOptionMap());
            Json.writeStringMap(gen, PROPERTIES, new TreeMap<>(definition.properties()));
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Parses a stored definition and re-checks it. Storage existence is not re-checked: a stored
     * table keeps its storage id even if the catalog that reads it declares other storages.
     *
     * @throws IllegalArgumentException if the JSON is not a table definition this version reads
     */
    public static TableDefinition fromJson(String json) {
        JsonNode root = Json.parse(json);
        int format = Json.getInt(root, FORMAT_VERSION_FIELD);
        if (format > FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "Cannot read table definition: format_version "
                            + format
                            + " is newer than this connector reads ("
                            + FORMAT_VERSION
                            + ")");
        }
        List<Column> columns = new ArrayList<>();
        for (JsonNode column : Json.getArray(root, COLUMNS)) {
            LogicalType type =
                    LogicalTypeParser.parse(
                            Json.getString(column, COLUMN_TYPE),
                            TableDefinitionParser.class.getClassLoader());
            columns.add(
                    new Column(
                            Json.getInt(column, COLUMN_ID),
                            Json.getString(column, COLUMN_NAME),
                            type));
        }
        List<String> primaryKey = new ArrayList<>();
        Json.getArray(root, PRIMARY_KEY).forEach(key -> primaryKey.add(key.asText()));
        Map<String, String> options = Json.getStringMap(root, OPTIONS);
        TableOptions parsed = TableOptions.parse(options, storage -> true);
        String storedType = Json.getString(root, TABLE_TYPE);
        if (parsed.type() != TableType.valueOf(storedType)) {
            throw new IllegalArgumentException(
                    "Cannot read table definition: table_type "
                            + storedType
                            + " contradicts its options");
        }
        Map<String, String> properties =
                root.has(PROPERTIES) ? Json.getStringMap(root, PROPERTIES) : new LinkedHashMap<>();
        return TableDefinition.of(
                Json.getString(root, NAMESPACE),
                Json.getString(root, TABLE_NAME),
                Json.getInt(root, SCHEMA_VERSION),
                columns,
                primaryKey,
                parsed,
                properties);
    }
}
