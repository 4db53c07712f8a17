package dev.tiered.table.procedure;

import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.procedures.Procedure;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The {@code sys.*} procedures of a tiered catalog, by name. */
@Internal
public final class Procedures {
    private static final List<String> NAMES =
            List.of(
                    "check_storage",
                    "compact_table",
                    "erase_user",
                    "expire_commits",
                    "export_user",
                    "flush_all",
                    "flush_table",
                    "remove_orphan_files",
                    "reset_user_storage",
                    "set_user_storage");

    private Procedures() {}

    public static List<String> names() {
        return NAMES;
    }

    public static Optional<Procedure> create(String name, Storages storages, Clock clock) {
        ProcedureBase procedure =
                switch (name) {
                    case "check_storage" -> new CheckStorageProcedure(storages, clock);
                    case "compact_table" -> new CompactTableProcedure(storages, clock);
                    case "erase_user" -> new EraseUserProcedure(storages, clock);
                    case "expire_commits" -> new ExpireCommitsProcedure(storages, clock);
                    case "export_user" -> new ExportUserProcedure(storages, clock);
                    case "flush_all" -> new FlushAllProcedure(storages, clock);
                    case "flush_table" -> new FlushTableProcedure(storages, clock);
                    case "remove_orphan_files" -> new RemoveOrphanFilesProcedure(storages, clock);
                    case "reset_user_storage" -> new ResetUserStorageProcedure(storages, clock);
                    case "set_user_storage" -> new SetUserStorageProcedure(storages, clock);
                    default -> null;
                };
        return Optional.ofNullable(procedure);
    }
}
