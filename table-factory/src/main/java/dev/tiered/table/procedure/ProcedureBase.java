package dev.tiered.table.procedure;

import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.table.internal.AccessControl;
import dev.tiered.table.internal.Session;
import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.procedure.ProcedureContext;
import org.apache.flink.table.procedures.Procedure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;

/**
 * What every tiered procedure shares: the catalog's storages, the access check and the lookup of
 * {@code 'ns.table'} arguments. Procedures run synchronously in the client: when the CALL's rows
 * are read, its commits are visible. The work itself is in {@code dev.tiered.state.maint}.
 */
@Internal
public abstract class ProcedureBase implements Procedure {
    /** The database procedures are called in: {@code CALL catalog.sys.flush_table(...)}. */
    public static final String DATABASE = "sys";

    protected final Storages storages;
    protected final Clock clock;

    protected ProcedureBase(Storages storages, Clock clock) {
        this.storages = storages;
        this.clock = clock;
    }

    /** The name after {@code sys.}. */
    public abstract String name();

    /** Checks the session of the CALL may run this procedure. */
    protected void checkAccess(ProcedureContext context) {
        ReadableConfig config = context.getExecutionEnvironment().getConfiguration();
        AccessControl.checkProcedure(Session.of(config), DATABASE + "." + name());
    }

    /** Opens {@code 'ns.table'}, failing with a message naming it when there is none. */
    protected TieredTable table(String tableId) {
        int dot = tableId == null ? -1 : tableId.indexOf('.');
        if (dot <= 0 || dot != tableId.lastIndexOf('.') || dot == tableId.length() - 1) {
            throw new ValidationException(
                    "Cannot call "
                            + DATABASE
                            + "."
                            + name()
                            + ": table '"
                            + tableId
                            + "' is not 'namespace.table'");
        }
        try {
            return storages.find(tableId.substring(0, dot), tableId.substring(dot + 1))
                    .orElseThrow(
                            () ->
                                    new ValidationException(
                                            "Cannot call "
                                                    + DATABASE
                                                    + "."
                                                    + name()
                                                    + ": table "
                                                    + tableId
                                                    + " does not exist"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open table " + tableId, e);
        }
    }

    protected List<TieredTable> allTables() {
        try {
            return storages.tables();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the tables of the catalog", e);
        }
    }

    /** Turns an engine failure into a message that names the procedure. */
    protected RuntimeException failed(Exception e) {
        if (e instanceof ValidationException v) {
            return v;
        }
        if (e instanceof TieredException t) {
            return new ValidationException(t.getMessage(), t);
        }
        return new TieredException(
                "Cannot complete " + DATABASE + "." + name() + ": " + e.getMessage(), e);
    }
}
