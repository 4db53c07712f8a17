package dev.tiered.table.procedure;

import dev.tiered.state.TieredTable;
import dev.tiered.state.maint.Expiry;
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

/**
 * {@code CALL sys.expire_commits('ns.table')}: deletes commits older than the table's {@code
 * log.retain-commits}/{@code log.retain-time} (and not pinned by a reader) and the files only they
 * referenced.
 */
@Internal
public class ExpireCommitsProcedure extends ProcedureBase {

    public ExpireCommitsProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "expire_commits";
    }

    @ProcedureHint(
            arguments = @ArgumentHint(name = "table", type = @DataTypeHint("STRING")),
            output =
                    @DataTypeHint(
                            "ROW<table_id STRING, oldest_retained BIGINT, commits_removed INT,"
                                    + " data_files_removed INT, manifests_removed INT,"
                                    + " message STRING>"))
    public Row[] call(ProcedureContext context, String table) {
        checkAccess(context);
        TieredTable tiered = table(table);
        try {
            Expiry.Result r =
                    Expiry.expire(tiered, MaintenanceOptions.of(tiered.definition()), clock);
            return new Row[] {
                Row.of(
                        r.tableId(),
                        r.oldestRetained(),
                        r.commitsRemoved(),
                        r.dataFilesRemoved(),
                        r.manifestsRemoved(),
                        r.message())
            };
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
    }
}
