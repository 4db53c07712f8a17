package dev.tiered.table.procedure;

import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.ProcedureHint;
import org.apache.flink.table.procedure.ProcedureContext;
import org.apache.flink.types.Row;

import java.time.Clock;

/**
 * {@code CALL sys.reset_user_storage('alice')}: removes a user's storage assignment, so that new
 * directories of the user are created in each table's own storage. Existing ones stay.
 */
@Internal
public class ResetUserStorageProcedure extends ProcedureBase {

    public ResetUserStorageProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "reset_user_storage";
    }

    @ProcedureHint(
            arguments = @ArgumentHint(name = "user_id", type = @DataTypeHint("STRING")),
            output = @DataTypeHint(SetUserStorageProcedure.OUTPUT))
    public Row[] call(ProcedureContext context, String userId) {
        checkAccess(context);
        return SetUserStorageProcedure.change(this, userId, null);
    }
}
