package dev.tiered.table.procedure;

import dev.tiered.state.maint.MaintenanceOptions;
import dev.tiered.state.maint.UserExport;
import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;
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
 * {@code CALL sys.export_user('alice', 'file:///export/alice')}: writes {@code
 * <uri>/<namespace>/<table>/manifest.json} and batches for each USER table holding the user, as of
 * one commit per table.
 */
@Internal
public class ExportUserProcedure extends ProcedureBase {

    public ExportUserProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "export_user";
    }

    @ProcedureHint(
            arguments = {
                @ArgumentHint(name = "user_id", type = @DataTypeHint("STRING")),
                @ArgumentHint(name = "target", type = @DataTypeHint("STRING"))
            },
            output =
                    @DataTypeHint(
                            "ROW<table_id STRING, commit_id BIGINT, directory STRING,"
                                    + " row_count BIGINT, files INT>"))
    public Row[] call(ProcedureContext context, String userId, String target) {
        checkAccess(context);
        List<Row> rows = new ArrayList<>();
        try {
            UserExport.Result result =
                    UserExport.export(
                            allTables(),
                            userId,
                            new Path(target),
                            MaintenanceOptions.defaults(),
                            clock);
            for (UserExport.TableExport t : result.tables()) {
                rows.add(Row.of(t.tableId(), t.commit(), t.directory(), t.rows(), t.files()));
            }
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        return rows.toArray(new Row[0]);
    }
}
