package dev.tiered.table.internal;

import dev.tiered.state.AccessLevel;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.table.AccessDeniedException;

import org.apache.flink.annotation.Internal;

import java.util.Objects;
import java.util.Optional;

/**
 * The access rules of DESIGN §6, one place for the sink, the source, procedures and system tables.
 * Every violation is an {@link AccessDeniedException} naming the session and the table: never an
 * empty result.
 *
 * <ul>
 *   <li>{@code user}: reads and writes only its own rows of USER tables (the source filters by
 *       {@link #readOwner}, the sink checks each row with {@link #checkRowOwner}); reads SHARED
 *       tables only when PUBLIC and writes none; reads and writes STREAM tables; never reaches
 *       SYSTEM tables or procedures.
 *   <li>{@code service}: everything but DBA-level SHARED tables.
 *   <li>{@code dba}, {@code system}: everything.
 * </ul>
 */
@Internal
public final class AccessControl {
    private AccessControl() {}

    /** May the session read the table at all? */
    public static void checkRead(Session session, TableDefinition table) {
        if (table.type() != TableType.SHARED) {
            return;
        }
        AccessLevel level = table.options().accessLevel();
        if (level == null) {
            level = AccessLevel.PRIVATE;
        }
        boolean allowed =
                switch (session.role()) {
                    case USER -> level == AccessLevel.PUBLIC;
                    case SERVICE -> level != AccessLevel.DBA;
                    case DBA, SYSTEM -> true;
                };
        if (!allowed) {
            throw new AccessDeniedException(
                    "Access denied: "
                            + session.describe()
                            + " cannot read "
                            + level
                            + " shared table "
                            + table.tableId());
        }
    }

    /**
     * The user a read of the table must be restricted to: the session's user for a {@code user}
     * session on a USER table, else none.
     */
    public static Optional<String> readOwner(Session session, TableDefinition table) {
        checkRead(session, table);
        if (session.isUser() && table.type() == TableType.USER) {
            return Optional.of(session.user());
        }
        return Optional.empty();
    }

    /**
     * A read asks for one user's rows of a USER table (a filter on the user id column): a {@code
     * user} session may ask only for its own.
     */
    public static void checkReadUser(Session session, TableDefinition table, String user) {
        if (session.isUser()
                && table.type() == TableType.USER
                && !Objects.equals(session.user(), user)) {
            throw new AccessDeniedException(
                    "Access denied: "
                            + session.describe()
                            + " cannot read rows of user '"
                            + user
                            + "' in "
                            + table.tableId());
        }
    }

    /** May the session write the table at all? Rows of USER tables are checked one by one. */
    public static void checkWrite(Session session, TableDefinition table) {
        if (session.isUser() && table.type() == TableType.SHARED) {
            throw new AccessDeniedException(
                    "Access denied: "
                            + session.describe()
                            + " cannot write shared table "
                            + table.tableId());
        }
        if (session.role() == Session.Role.SERVICE
                && table.type() == TableType.SHARED
                && table.options().accessLevel() == AccessLevel.DBA) {
            throw new AccessDeniedException(
                    "Access denied: "
                            + session.describe()
                            + " cannot write DBA shared table "
                            + table.tableId());
        }
    }

    /** A {@code user} session writes only rows it owns. */
    public static void checkRowOwner(Session session, String tableId, String rowUser) {
        if (session.isUser() && !Objects.equals(session.user(), rowUser)) {
            throw new AccessDeniedException(
                    "Access denied: "
                            + session.describe()
                            + " cannot write rows of user '"
                            + rowUser
                            + "' to "
                            + tableId);
        }
    }

    /** SYSTEM tables and per-table metadata views are for non-user sessions. */
    public static void checkSystemTable(Session session, String name) {
        if (session.isUser()) {
            throw new AccessDeniedException(
                    "Access denied: " + session.describe() + " cannot read system table " + name);
        }
    }

    /** Procedures are for service, dba and system sessions. */
    public static void checkProcedure(Session session, String procedure) {
        if (session.isUser()) {
            throw new AccessDeniedException(
                    "Access denied: "
                            + session.describe()
                            + " cannot call "
                            + procedure
                            + " (needs role service, dba or system)");
        }
    }
}
