package dev.tiered.table.procedure;

import dev.tiered.state.layout.UserIds;
import dev.tiered.state.layout.UserStorages;
import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.ProcedureHint;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.procedure.ProcedureContext;
import org.apache.flink.types.Row;

import java.io.IOException;
import java.time.Clock;

/**
 * {@code CALL sys.set_user_storage('alice', 'eu')}: assigns a user one of the catalog's storages.
 * USER tables with {@code USE_USER_STORAGE} create the user's directory there from then on; a
 * user's existing directories stay where they are. One row: the user, the storage now and the
 * storage before.
 */
@Internal
public class SetUserStorageProcedure extends ProcedureBase {
    static final String OUTPUT =
            "ROW<user_id STRING, storage_id STRING, previous_storage_id STRING>";

    public SetUserStorageProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "set_user_storage";
    }

    @ProcedureHint(
            arguments = {
                @ArgumentHint(name = "user_id", type = @DataTypeHint("STRING")),
                @ArgumentHint(name = "storage_id", type = @DataTypeHint("STRING"))
            },
            output = @DataTypeHint(OUTPUT))
    public Row[] call(ProcedureContext context, String userId, String storageId) {
        checkAccess(context);
        if (storageId == null || !storages.exists(storageId)) {
            throw new ValidationException("Storage '" + storageId + "' does not exist");
        }
        return change(this, userId, storageId);
    }

    /** Assigns {@code storageId} (or, if null, removes the assignment) and says what changed. */
    static Row[] change(ProcedureBase procedure, String userId, String storageId) {
        String invalid = UserIds.invalidReason(userId);
        if (invalid != null) {
            throw new ValidationException(
                    "Cannot call "
                            + DATABASE
                            + "."
                            + procedure.name()
                            + ": user id '"
                            + userId
                            + "' "
                            + invalid);
        }
        UserStorages settings = procedure.storages.userStorages();
        try {
            String previous = settings.storageOf(procedure.storages.io(), userId).orElse(null);
            if (storageId == null) {
                settings.clear(procedure.storages.io(), userId);
            } else {
                settings.assign(procedure.storages.io(), userId, storageId);
            }
            return new Row[] {Row.of(userId, storageId, previous)};
        } catch (IOException | RuntimeException e) {
            throw procedure.failed(e);
        }
    }
}
