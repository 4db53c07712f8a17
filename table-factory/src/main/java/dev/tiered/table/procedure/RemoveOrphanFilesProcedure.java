package dev.tiered.table.procedure;

import dev.tiered.state.TieredTable;
import dev.tiered.state.maint.MaintenanceOptions;
import dev.tiered.state.maint.OrphanCleanup;
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
 * {@code CALL sys.remove_orphan_files('ns.table')}: deletes files no commit references that are
 * older than {@code orphan-files.grace-period}; younger ones are reported as kept. A table without
 * orphans answers one row saying so.
 */
@Internal
public class RemoveOrphanFilesProcedure extends ProcedureBase {

    public RemoveOrphanFilesProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "remove_orphan_files";
    }

    @ProcedureHint(
            arguments = @ArgumentHint(name = "table", type = @DataTypeHint("STRING")),
            output =
                    @DataTypeHint(
                            "ROW<table_id STRING, path STRING, kind STRING, size_bytes BIGINT,"
                                    + " action STRING>"))
    public Row[] call(ProcedureContext context, String table) {
        checkAccess(context);
        TieredTable tiered = table(table);
        List<Row> rows = new ArrayList<>();
        try {
            OrphanCleanup.Result r =
                    OrphanCleanup.clean(tiered, MaintenanceOptions.of(tiered.definition()), clock);
            for (OrphanCleanup.Orphan o : r.deleted()) {
                rows.add(Row.of(r.tableId(), o.path(), o.kind(), o.sizeBytes(), "deleted"));
            }
            for (OrphanCleanup.Orphan o : r.kept()) {
                rows.add(
                        Row.of(
                                r.tableId(),
                                o.path(),
                                o.kind(),
                                o.sizeBytes(),
                                "kept (younger than the grace period)"));
            }
            if (rows.isEmpty()) {
                rows.add(Row.of(r.tableId(), null, null, 0L, "no orphan files"));
            }
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        return rows.toArray(new Row[0]);
    }
}
