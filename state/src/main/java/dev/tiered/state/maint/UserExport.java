package dev.tiered.state.maint;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.ScopeManifestParser;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableDefinitionParser;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Export of one user's data (DESIGN §7): for every USER table that has the user, the user's rows as
 * of one commit of that table — cold batches and live hot rows merged, newest version per key,
 * deletes applied — are written to {@code <uri>/<namespace>/<table>/} as {@code batch-N.parquet}
 * files with a {@code manifest.json} (and {@code manifest-v1.json}) listing them, beside the table
 * definition {@code _table/schema-<v>.json}: a self-describing scope directory (invariant 8) that
 * any Parquet reader, or this engine, reads back.
 *
 * <p>The read is pinned ({@link ReaderPins}) so expiry cannot remove what it reads. Crash
 * behaviour: the batches are written first under fresh names, the manifest last (an atomic
 * overwrite), then files of an earlier export the new manifest does not list are removed; so the
 * target always holds a complete export, the old or the new one, and re-running finishes the job.
 */
public final class UserExport {
    private static final Logger LOG = LoggerFactory.getLogger(UserExport.class);
    private static final long PIN_LEASE_MILLIS = 60L * 60 * 1000;

    /** What was exported of one table. */
    public record TableExport(
            String tableId, long commit, String directory, long rows, int files) {}

    /** What was exported. */
    public record Result(String userId, String target, List<TableExport> tables) {
        public Result {
            tables = List.copyOf(tables);
        }
    }

    private UserExport() {}

    /** Exports the user's rows of every USER table in the list that has any. */
    public static Result export(
            List<TieredTable> tables,
            String userId,
            Path target,
            MaintenanceOptions options,
            Clock clock)
            throws IOException {
        ScopeId scope = ScopeId.user(userId);
        List<TableExport> exports = new ArrayList<>();
        for (TieredTable table : tables) {
            if (table.definition().type() != TableType.USER) {
                continue;
            }
            TableState state = table.latestState();
            if (!hasUser(state, scope)) {
                continue;
            }
            String pin = "export-" + clock.millis() + "-" + System.identityHashCode(state);
            ReaderPins.pin(table, pin, state.commit(), clock.millis() + PIN_LEASE_MILLIS);
            try {
                exports.add(exportTable(table, state, scope, target, options, clock));
            } finally {
                ReaderPins.unpin(table, pin);
            }
        }
        return new Result(userId, target.toString(), exports);
    }

    private static boolean hasUser(TableState state, ScopeId scope) {
        if (state.scopes().containsKey(scope)) {
            return true;
        }
        for (HotSegmentRef hot : state.hotSegments()) {
            if (hot.scopes().contains(scope)) {
                return true;
            }
        }
        return false;
    }

    private static TableExport exportTable(
            TieredTable table,
            TableState state,
            ScopeId scope,
            Path target,
            MaintenanceOptions options,
            Clock clock)
            throws IOException {
        TableDefinition definition = table.definition();
        TableFileIO io = table.io();
        Path dir = new Path(new Path(target, definition.namespace()), definition.name());
        ScopeManifest source = table.manifest(state, scope);
        long rows = source.segments().stream().mapToLong(SegmentEntry::rowCount).sum();
        long bytes = source.segments().stream().mapToLong(SegmentEntry::sizeBytes).sum();

        BatchRewriter.Output output;
        try (ChangeCursor merged =
                ScopeReader.open(table, state, scope, BatchReadSpec.all(), clock.millis(), false)) {
            output =
                    BatchRewriter.write(
                            merged,
                            definition,
                            scope,
                            dir,
                            BatchRewriter.rowsPerFile(rows, bytes, options.targetFileBytes()),
                            Math.max(rows, 1),
                            seq -> false,
                            BatchWriter.Options.defaults(),
                            clock);
        }
        long maxSeq = 0;
        for (SegmentEntry segment : output.segments()) {
            maxSeq = Math.max(maxSeq, segment.maxSeq());
        }
        ScopeManifest exported =
                new ScopeManifest(
                        definition.tableId(),
                        scope.userId(),
                        1,
                        clock.millis(),
                        clock.millis(),
                        output.segments(),
                        0,
                        state.commit(),
                        maxSeq);
        byte[] manifest = ScopeManifestParser.toJson(exported, table.columnTypes());
        io.overwrite(
                new Path(
                        new Path(dir, StorageLayout.TABLE_DIR),
                        "schema-" + definition.schemaVersion() + ".json"),
                TableDefinitionParser.toJson(definition).getBytes(StandardCharsets.UTF_8));
        io.overwrite(new Path(dir, "manifest-v1.json"), manifest);
        io.overwrite(new Path(dir, StorageLayout.MANIFEST_FILE), manifest);

        Set<String> listed = new HashSet<>();
        output.segments().forEach(s -> listed.add(s.path()));
        for (String name : io.list(dir)) {
            if (name.endsWith(".parquet") && !listed.contains(name)) {
                io.delete(new Path(dir, name)); // an earlier export's file
            }
        }
        LOG.info(
                "Exported a user's {} rows of {} as of commit {} to {}",
                output.rowsWritten(),
                definition.tableId(),
                state.commit(),
                dir);
        return new TableExport(
                definition.tableId(),
                state.commit(),
                dir.toString(),
                output.rowsWritten(),
                output.segments().size());
    }
}
