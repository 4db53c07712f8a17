package dev.tiered.table.procedure;

import dev.tiered.state.TieredTable;
import dev.tiered.state.maint.Compaction;
import dev.tiered.state.maint.MaintenanceOptions;
import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.ProcedureHint;
import org.apache.flink.table.procedure.ProcedureContext;
import org.apache.flink.types.Row;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code CALL sys.compact_table('ns.table')} (STORAGE COMPACT TABLE): merges each scope's batches
 * below {@code compaction.target-file-size}, one commit per scope; a STREAM table fails.
 */
@Internal
public class CompactTableProcedure extends ProcedureBase {

    public CompactTableProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "compact_table";
    }

    @ProcedureHint(
            arguments = @ArgumentHint(name = "table", type = @DataTypeHint("STRING")),
            output =
                    @DataTypeHint(
                            "ROW<table_id STRING, user_id STRING, commit_id BIGINT,"
                                    + " files_removed INT, files_added INT, row_count BIGINT,"
                                    + " tombstones_dropped BIGINT, message STRING>"))
    public Row[] call(ProcedureContext context, String table) {
        checkAccess(context);
        TieredTable tiered = table(table);
        List<Row> rows = new ArrayList<>();
        try {
            for (Compaction.Result r :
                    Compaction.compactTable(
                            tiered, MaintenanceOptions.of(tiered.definition()), clock)) {
                rows.add(
                        Row.of(
                                r.tableId(),
                                r.scope().userId(),
                                r.commit(),
                                r.filesRemoved(),
                                r.filesAdded(),
                                r.rowsWritten(),
                                r.tombstonesDropped(),
                                r.message()));
            }
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        if (rows.isEmpty()) {
            rows.add(
                    Row.of(
                            tiered.definition().tableId(),
                            null,
                            -1L,
                            0,
                            0,
                            0L,
                            0L,
                            "nothing to compact: no batches"));
        }
        return rows.toArray(new Row[0]);
    }
}
