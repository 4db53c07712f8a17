package dev.tiered.table.procedure;

import dev.tiered.state.TieredTable;
import dev.tiered.state.maint.Flush;
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
 * {@code CALL sys.flush_table('ns.table')} (KalamDB's STORAGE FLUSH TABLE): writes each scope's
 * committed hot rows as a cold batch, one commit per scope. Works with or without a job writing the
 * table. A table with nothing hot answers one row saying so; a STREAM table fails.
 */
@Internal
public class FlushTableProcedure extends ProcedureBase {
    static final String OUTPUT =
            "ROW<table_id STRING, user_id STRING, commit_id BIGINT, row_count BIGINT,"
                    + " size_bytes BIGINT, message STRING>";

    public FlushTableProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "flush_table";
    }

    @ProcedureHint(
            arguments = @ArgumentHint(name = "table", type = @DataTypeHint("STRING")),
            output = @DataTypeHint(OUTPUT))
    public Row[] call(ProcedureContext context, String table) {
        checkAccess(context);
        TieredTable tiered = table(table);
        try {
            return rows(tiered, Flush.flushTable(tiered, clock)).toArray(new Row[0]);
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
    }

    static List<Row> rows(TieredTable table, List<Flush.Result> results) {
        List<Row> rows = new ArrayList<>();
        for (Flush.Result r : results) {
            rows.add(
                    Row.of(
                            r.tableId(),
                            r.scope().userId(),
                            r.commit(),
                            r.rows(),
                            r.bytes(),
                            r.message()));
        }
        if (rows.isEmpty()) {
            rows.add(
                    Row.of(
                            table.definition().tableId(),
                            null,
                            -1L,
                            0L,
                            0L,
                            "nothing to flush: no hot rows"));
        }
        return rows;
    }
}
