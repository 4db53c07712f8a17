package dev.tiered.table.procedure;

import dev.tiered.state.maint.UserErasure;
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
 * {@code CALL sys.erase_user('alice')} (GDPR): removes every byte of the user from every USER table
 * of every storage of the catalog; one row per USER table.
 */
@Internal
public class EraseUserProcedure extends ProcedureBase {

    public EraseUserProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "erase_user";
    }

    @ProcedureHint(
            arguments = @ArgumentHint(name = "user_id", type = @DataTypeHint("STRING")),
            output =
                    @DataTypeHint(
                            "ROW<table_id STRING, commit_id BIGINT, hot_segments_rewritten INT,"
                                    + " files_scrubbed INT>"))
    public Row[] call(ProcedureContext context, String userId) {
        checkAccess(context);
        List<Row> rows = new ArrayList<>();
        try {
            for (UserErasure.TableResult r :
                    UserErasure.erase(allTables(), userId, clock).tables()) {
                rows.add(
                        Row.of(
                                r.tableId(),
                                r.commit(),
                                r.hotSegmentsRewritten(),
                                r.filesScrubbed()));
            }
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        return rows.toArray(new Row[0]);
    }
}
