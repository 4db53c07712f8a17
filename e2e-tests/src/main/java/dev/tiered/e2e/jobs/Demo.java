package dev.tiered.e2e.jobs;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableValidationException;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.meta.TableDefinitionParser;

import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;

/**
 * The project demo. What it shows today: the seed's three tables (a USER, a SHARED and a STREAM
 * table) defined with their DESIGN §4 options, validated, and stored as {@code
 * _table/schema-1.json} in a local warehouse; then the exact errors for broken definitions.
 *
 * <p>The embedded Flink job that writes, flushes and reads these tables replaces this once the sink
 * and source modules land.
 *
 * <p>Usage: {@code Demo [warehouse-dir]} (default {@code ./demo-warehouse}).
 */
public final class Demo {

    private Demo() {}

    public static void main(String[] args) throws IOException {
        File warehouseDir =
                new File(args.length > 0 ? args[0] : "demo-warehouse").getAbsoluteFile();
        Path warehouse = Path.fromLocalFile(warehouseDir);
        System.out.println("Tiered Tables demo: warehouse " + warehouse);

        List<TableDefinition> tables =
                List.of(
                        TableDefinition.create(
                                "chat",
                                "messages",
                                columns(
                                        "id BIGINT NOT NULL",
                                        "user_id STRING",
                                        "conversation_id BIGINT",
                                        "content STRING",
                                        "created_at TIMESTAMP(3)"),
                                List.of("id"),
                                Map.of(
                                        "TYPE", "USER",
                                        "FLUSH_POLICY", "rows:1000,interval:60",
                                        "fields.created_at.default", "NOW()"),
                                "local"::equals),
                        TableDefinition.create(
                                "app",
                                "config",
                                columns("name STRING NOT NULL", "value STRING"),
                                List.of("name"),
                                Map.of(
                                        "TYPE",
                                        "SHARED",
                                        "ACCESS_LEVEL",
                                        "PUBLIC",
                                        "FLUSH_POLICY",
                                        "rows:100"),
                                "local"::equals),
                        TableDefinition.create(
                                "chat",
                                "typing_events",
                                columns("user_id STRING", "conversation_id BIGINT", "event STRING"),
                                List.of(),
                                Map.of("TYPE", "STREAM", "TTL_SECONDS", "10"),
                                "local"::equals));

        for (TableDefinition table : tables) {
            Path file = StorageLayout.of(warehouse, table).schemaFile(table.schemaVersion());
            write(file, TableDefinitionParser.toJson(table));
            System.out.printf(
                    "  %-20s %-6s key=%-6s %s -> %s%n",
                    table.tableId(),
                    table.type(),
                    table.primaryKey().isEmpty() ? "-" : table.primaryKey().get(0),
                    table.toOptionMap(),
                    file);
            TableDefinition back = TableDefinitionParser.fromJson(read(file));
            if (!back.equals(table)) {
                throw new IllegalStateException(
                        "Stored definition of " + table.tableId() + " differs");
            }
        }

        System.out.println("Definitions the connector rejects, with its messages:");
        reject("STREAM without TTL", Map.of("TYPE", "STREAM"), List.of());
        reject("bad FLUSH_POLICY", Map.of("FLUSH_POLICY", "rows:0,interval:60"), List.of("name"));
        reject(
                "ACCESS_LEVEL on USER",
                Map.of("TYPE", "USER", "ACCESS_LEVEL", "PUBLIC"),
                List.of("name"));
        reject("USER without a key", Map.of("TYPE", "USER"), List.of());
        System.out.println("Done.");
    }

    private static void reject(String what, Map<String, String> options, List<String> key) {
        try {
            TableDefinition.create(
                    "app",
                    "bad",
                    columns("name STRING NOT NULL", "user_id STRING"),
                    key,
                    options,
                    "local"::equals);
            throw new IllegalStateException("Expected " + what + " to be rejected");
        } catch (TableValidationException e) {
            System.out.printf("  %-22s %s%n", what + ":", e.getMessage());
        }
    }

    private static List<Map.Entry<String, LogicalType>> columns(String... definitions) {
        return java.util.Arrays.stream(definitions)
                .map(
                        d ->
                                (Map.Entry<String, LogicalType>)
                                        new AbstractMap.SimpleImmutableEntry<>(
                                                d.substring(0, d.indexOf(' ')),
                                                LogicalTypeParser.parse(
                                                        d.substring(d.indexOf(' ') + 1),
                                                        Demo.class.getClassLoader())))
                .toList();
    }

    private static void write(Path file, String content) throws IOException {
        FileSystem fs = file.getFileSystem();
        try (FSDataOutputStream out = fs.create(file, FileSystem.WriteMode.OVERWRITE)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String read(Path file) throws IOException {
        try (var in = file.getFileSystem().open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
