package dev.tiered.table.procedure;

import dev.tiered.state.TableType;
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
 * {@code CALL sys.flush_all('ns')} (STORAGE FLUSH ALL IN ns): flushes every USER and SHARED table
 * of the namespace; STREAM tables are skipped with a row saying so.
 */
@Internal
public class FlushAllProcedure extends ProcedureBase {

    public FlushAllProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "flush_all";
    }

    @ProcedureHint(
            arguments = @ArgumentHint(name = "namespace", type = @DataTypeHint("STRING")),
            output = @DataTypeHint(FlushTableProcedure.OUTPUT))
    public Row[] call(ProcedureContext context, String namespace) {
        checkAccess(context);
        List<Row> rows = new ArrayList<>();
        try {
            for (TieredTable table : storages.tables(namespace)) {
                if (table.definition().type() == TableType.STREAM) {
                    rows.add(
                            Row.of(
                                    table.definition().tableId(),
                                    null,
                                    -1L,
                                    0L,
                                    0L,
                                    "skipped: STREAM tables are never flushed"));
                    continue;
                }
                rows.addAll(FlushTableProcedure.rows(table, Flush.flushTable(table, clock)));
            }
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        return rows.toArray(new Row[0]);
    }
}
