package dev.tiered.state.cold;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tables and helpers the tests of this package share. */
final class ColdTables {
    private ColdTables() {}

    /**
     * A SHARED table {@code t.t} with the given {@code "name TYPE"} columns, keyed by the first.
     */
    static TableDefinition shared(String... columns) {
        String key = columns[0].substring(0, columns[0].indexOf(' '));
        return TableDefinition.create(
                "t", "t", TestTables.columns(columns), List.of(key), Map.of(), s -> true);
    }

    /** chat.messages, the seed's USER table (id BIGINT key, user_id, ..., created_at). */
    static TableDefinition messages() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "USER"),
                s -> true);
    }

    /** A copy of a row in Flink's internal format, comparable with {@code equals}. */
    static GenericRowData copy(RowData row, TableDefinition table) {
        List<LogicalType> types = table.rowType().getChildren();
        GenericRowData copy = new GenericRowData(types.size());
        for (int i = 0; i < types.size(); i++) {
            copy.setField(i, RowData.createFieldGetter(types.get(i), i).getFieldOrNull(row));
        }
        return copy;
    }

    /** One change read from a cursor, copied. */
    record Change(ScopeId scope, long seq, ChangeOp op, GenericRowData row) {}

    /** Everything a cursor returns, copied; closes the cursor. */
    static List<Change> drain(ChangeCursor cursor, TableDefinition table) throws IOException {
        List<Change> changes = new ArrayList<>();
        try (cursor) {
            while (cursor.next()) {
                changes.add(
                        new Change(
                                cursor.scope(),
                                cursor.seq(),
                                cursor.op(),
                                copy(cursor.row(), table)));
            }
        }
        return changes;
    }
}
