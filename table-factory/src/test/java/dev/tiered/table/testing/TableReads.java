package dev.tiered.table.testing;

import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.TableRows;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a table's contents with the state engine, independently of the SQL source: every live scope
 * merged over batches and live hot segments.
 */
public final class TableReads {
    private TableReads() {}

    public static TieredTable open(String baseUri, String namespace, String name)
            throws IOException {
        return TieredTable.open(new FlinkFileIO(), new Path(baseUri), namespace, name);
    }

    /** Key (as text) to the row's fields as text, {@code null} for NULL. */
    public static Map<String, List<String>> rows(String baseUri, String namespace, String name)
            throws IOException {
        TieredTable table = open(baseUri, namespace, name);
        TableState state = table.latestState();
        RowType type = table.definition().rowType();
        int key = table.definition().primaryKeyIndex();
        Map<String, List<String>> rows = new TreeMap<>();
        TableRows.forEachRow(
                table,
                state,
                (scope, row) -> {
                    List<String> fields = fields(row, type);
                    rows.put(fields.get(key), fields);
                });
        return rows;
    }

    private static List<String> fields(RowData row, RowType type) {
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < type.getFieldCount(); i++) {
            LogicalType t = type.getTypeAt(i);
            Object value = RowData.createFieldGetter(t, i).getFieldOrNull(row);
            fields.add(value == null ? null : value.toString());
        }
        return fields;
    }
}
