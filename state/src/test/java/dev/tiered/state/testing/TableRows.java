package dev.tiered.state.testing;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.TableState;

import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.util.function.BiConsumer;

/** Reads a table's rows the way a reader does, for checks in tests of every module. */
public final class TableRows {
    private TableRows() {}

    /**
     * Every live row of the table at {@code state}, over both tiers, scope by scope. The row is the
     * cursor's: copy what outlives the call.
     */
    public static void forEachRow(
            TieredTable table, TableState state, BiConsumer<ScopeId, RowData> consumer)
            throws IOException {
        for (ScopeId scope : state.liveScopeIds()) {
            try (ChangeCursor cursor =
                    ScopeReader.open(
                            table,
                            state,
                            scope,
                            BatchReadSpec.all(),
                            System.currentTimeMillis(),
                            false)) {
                while (cursor.next()) {
                    consumer.accept(scope, cursor.row());
                }
            }
        }
    }
}
