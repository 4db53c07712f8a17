package dev.tiered.table.procedure;

import dev.tiered.state.maint.StorageCheck;
import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.ProcedureHint;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.procedure.ProcedureContext;
import org.apache.flink.types.Row;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code CALL sys.check_storage('local' [, true])} (STORAGE CHECK local [EXTENDED]): probes the
 * storage (write, list, read, delete) and, extended, verifies every manifest and file of its
 * tables. Every row carries the overall {@code status}: healthy, degraded or unreachable.
 */
@Internal
public class CheckStorageProcedure extends ProcedureBase {

    public CheckStorageProcedure(Storages storages, Clock clock) {
        super(storages, clock);
    }

    @Override
    public String name() {
        return "check_storage";
    }

    @ProcedureHint(
            arguments = {
                @ArgumentHint(name = "storage_id", type = @DataTypeHint("STRING")),
                @ArgumentHint(name = "extended", type = @DataTypeHint("BOOLEAN"), isOptional = true)
            },
            output =
                    @DataTypeHint(
                            "ROW<storage_id STRING, status STRING, `check` STRING, target STRING,"
                                    + " severity STRING, message STRING, latency_ms BIGINT>"))
    public Row[] call(ProcedureContext context, String storageId, Boolean extended) {
        checkAccess(context);
        if (!storages.exists(storageId)) {
            throw new ValidationException("Storage '" + storageId + "' does not exist");
        }
        StorageCheck.Report report =
                StorageCheck.check(
                        storages.io(),
                        storageId,
                        storages.base(storageId),
                        Boolean.TRUE.equals(extended));
        String status = report.status().displayName();
        List<Row> rows = new ArrayList<>();
        for (StorageCheck.Row r : report.rows()) {
            rows.add(
                    Row.of(
                            storageId,
                            status,
                            r.check(),
                            r.target(),
                            r.severity().name().toLowerCase(Locale.ROOT),
                            r.message(),
                            r.latencyMillis()));
        }
        return rows.toArray(new Row[0]);
    }
}
