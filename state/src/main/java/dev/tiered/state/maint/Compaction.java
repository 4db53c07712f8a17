package dev.tiered.state.maint;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.CommitConflictException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.MergeCursor;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compaction of a scope's cold batches (DESIGN §9): the batches smaller than {@code
 * compaction.target-file-size} are merged, newest {@code _seq} per key, into new files of about
 * that size, and one {@code compact} commit swaps them in.
 *
 * <ul>
 *   <li>Older versions of a key are dropped: readers of the new commit see only the newest, and
 *       readers pinned to older commits keep reading the old batches, which stay until expiry.
 *   <li>A tombstone is dropped only when no older version of its key can remain anywhere: every
 *       batch left out of the merge starts above its {@code _seq} (checked again at the commit
 *       point, in case a batch appeared meanwhile), and live hot rows are always newer than the
 *       scope's batches (they are read only above {@code flushed_through_seq}).
 *   <li>The commit goes through the table's committer: beside a live writer it is rebased onto
 *       whatever the writer committed meanwhile; if another compaction removed the same batches
 *       first, it fails with a conflict and deletes the files it wrote.
 * </ul>
 *
 * <p>Crash behaviour: before the commit point the new files are orphans (orphan cleanup removes
 * them); after it the commit is rolled forward like any other.
 */
public final class Compaction {
    private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);

    /** The writer identity of compaction commits. */
    public static final String WRITER_ID = "maintenance-compact";

    /**
     * What one compaction of one scope did.
     *
     * @param commit the commit made, or -1 if there was nothing to do
     * @param filesRemoved batches merged (and removed from the scope)
     * @param filesAdded batches written
     * @param rowsRead versions the merge read (one per key per input)
     * @param rowsWritten rows in the new batches
     * @param tombstonesDropped tombstones left out because nothing older remains
     */
    public record Result(
            String tableId,
            ScopeId scope,
            long commit,
            int filesRemoved,
            int filesAdded,
            long rowsRead,
            long rowsWritten,
            long tombstonesDropped,
            long bytesBefore,
            long bytesAfter,
            String message) {
        public boolean compacted() {
            return commit > 0;
        }
    }

    private Compaction() {}

    /** Compacts every scope of the table that has something to compact. */
    public static List<Result> compactTable(
            TieredTable table, MaintenanceOptions options, Clock clock) throws IOException {
        checkCompactable(table);
        List<Result> results = new ArrayList<>();
        for (ScopeId scope : table.latestState().scopeIds()) {
            results.add(compactScope(table, scope, options, clock));
        }
        return results;
    }

    /**
     * Automatic compaction: compacts the scopes that have more than {@code compaction.max-files}
     * batches. Does nothing when it is 0 or for STREAM tables.
     */
    public static List<Result> compactIfNeeded(
            TieredTable table, MaintenanceOptions options, Clock clock) throws IOException {
        List<Result> results = new ArrayList<>();
        if (options.maxFiles() == 0 || table.definition().type() == TableType.STREAM) {
            return results;
        }
        TableState state = table.latestState();
        for (ScopeId scope : state.scopeIds()) {
            if (table.manifest(state, scope).segments().size() > options.maxFiles()) {
                Result result = compactScope(table, scope, options, clock);
                if (result.compacted()) {
                    results.add(result);
                }
            }
        }
        return results;
    }

    /**
     * Compacts one scope as of the newest commit.
     *
     * @throws CommitConflictException if the merged batches were removed meanwhile (another
     *     compaction, an erase), or a batch with older versions of a dropped tombstone's key was
     *     added; the files written are deleted and nothing changed
     * @throws TieredException for a STREAM table
     */
    public static Result compactScope(
            TieredTable table, ScopeId scope, MaintenanceOptions options, Clock clock)
            throws IOException {
        checkCompactable(table);
        TableState state = table.latestState();
        ScopeManifest manifest = table.manifest(state, scope);
        Plan plan = Plan.of(manifest, table.scopeDir(state, scope), options.targetFileBytes());
        if (plan.inputs().size() < 2) {
            // A crashed commit may have left manifest.json behind its version: finish that.
            table.manifests().ensureCurrent(state, scope);
            return nothingToDo(
                    table.definition(),
                    scope,
                    manifest,
                    "nothing to compact: "
                            + plan.inputs().size()
                            + " of "
                            + manifest.segments().size()
                            + " batches are below the target size");
        }
        BatchRewriter.Output output = rewrite(table, scope, plan, options, clock);
        long commit = commit(table, scope, plan, output, clock);
        long bytesAfter = output.segments().stream().mapToLong(SegmentEntry::sizeBytes).sum();
        LOG.info(
                "Compacted scope {} of {} in commit {}: {} batches ({} bytes) into {} ({} bytes),"
                        + " {} of {} versions kept, {} tombstones dropped",
                scope,
                table.definition().tableId(),
                commit,
                plan.inputs().size(),
                plan.bytes(),
                output.segments().size(),
                bytesAfter,
                output.rowsWritten(),
                output.rowsRead(),
                output.tombstonesDropped());
        return new Result(
                table.definition().tableId(),
                scope,
                commit,
                plan.inputs().size(),
                output.segments().size(),
                output.rowsRead(),
                output.rowsWritten(),
                output.tombstonesDropped(),
                plan.bytes(),
                bytesAfter,
                "compacted " + plan.inputs().size() + " batches into " + output.segments().size());
    }

    /**
     * Which batches to merge: those below the target size.
     *
     * @param othersMinSeq the lowest {@code _seq} of the batches left out: only tombstones below it
     *     can be dropped (nothing older can remain in them)
     * @param scopeDir where the scope's batches are, and the new ones go
     */
    private record Plan(
            List<SegmentEntry> inputs, long othersMinSeq, long rows, long bytes, Path scopeDir) {
        static Plan of(ScopeManifest manifest, Path scopeDir, long targetFileBytes) {
            List<SegmentEntry> inputs = new ArrayList<>();
            long othersMinSeq = Long.MAX_VALUE;
            long rows = 0;
            long bytes = 0;
            for (SegmentEntry segment : manifest.segments()) {
                if (segment.sizeBytes() < targetFileBytes) {
                    inputs.add(segment);
                    rows += segment.rowCount();
                    bytes += segment.sizeBytes();
                } else {
                    othersMinSeq = Math.min(othersMinSeq, segment.minSeq());
                }
            }
            return new Plan(inputs, othersMinSeq, rows, bytes, scopeDir);
        }
    }

    private static BatchRewriter.Output rewrite(
            TieredTable table, ScopeId scope, Plan plan, MaintenanceOptions options, Clock clock)
            throws IOException {
        TableDefinition definition = table.definition();
        Comparator<RowData> keys =
                KeyComparators.forField(
                        definition.rowType().getTypeAt(definition.primaryKeyIndex()),
                        definition.primaryKeyIndex());
        try (ChangeCursor merged = merge(table, scope, plan.scopeDir(), plan.inputs(), keys)) {
            return BatchRewriter.write(
                    merged,
                    definition,
                    scope,
                    plan.scopeDir(),
                    BatchRewriter.rowsPerFile(plan.rows(), plan.bytes(), options.targetFileBytes()),
                    plan.rows(),
                    seq -> seq < plan.othersMinSeq(),
                    BatchWriter.Options.defaults(),
                    clock);
        }
    }

    /** Swaps the merged batches for the new ones; on a conflict deletes the new ones. */
    private static long commit(
            TieredTable table, ScopeId scope, Plan plan, BatchRewriter.Output output, Clock clock)
            throws IOException {
        PendingCommit pending = new PendingCommit("compact", WRITER_ID, -1);
        List<String> removed = plan.inputs().stream().map(SegmentEntry::id).toList();
        pending.changeScope(scope, output.segments(), removed, 0);
        if (output.tombstonesDropped() > 0) {
            pending.require(noOlderBatchSince(scope, new HashSet<>(removed), output));
        }
        try {
            return table.committer(clock)
                    .commit(pending, table.definition().schemaVersion())
                    .commit();
        } catch (CommitConflictException e) {
            // Known not committed: the new files are ours alone.
            BatchRewriter.deleteQuietly(output.files(), e);
            throw e;
        }
    }

    private static ChangeCursor merge(
            TieredTable table,
            ScopeId scope,
            Path scopeDir,
            List<SegmentEntry> inputs,
            Comparator<RowData> keys)
            throws IOException {
        List<ChangeCursor> readers = new ArrayList<>(inputs.size());
        try {
            for (SegmentEntry segment : inputs) {
                Path file = new Path(scopeDir, segment.path());
                readers.add(BatchReader.open(file, table.definition(), scope, BatchReadSpec.all()));
            }
            return new MergeCursor(readers, keys, true);
        } catch (IOException | RuntimeException e) {
            for (ChangeCursor reader : readers) {
                try {
                    reader.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * At the commit point: every batch of the scope that the merge did not read must start above
     * the newest tombstone it dropped, or that tombstone could have hidden an older version.
     */
    private static PendingCommit.Precondition noOlderBatchSince(
            ScopeId scope, Set<String> merged, BatchRewriter.Output output) {
        long newestDropped = output.maxDroppedTombstoneSeq();
        return (state, manifests) -> {
            for (SegmentEntry segment : manifests.manifest(state, scope).segments()) {
                if (!merged.contains(segment.id()) && segment.minSeq() <= newestDropped) {
                    return "batch "
                            + segment.id()
                            + " of scope "
                            + scope
                            + " may hold versions older than a tombstone the compaction dropped";
                }
            }
            return null;
        };
    }

    private static void checkCompactable(TieredTable table) {
        TableDefinition definition = table.definition();
        if (definition.type() == TableType.STREAM) {
            throw new TieredException(
                    "Cannot compact "
                            + definition.tableId()
                            + ": it is a STREAM table, which is never flushed to batches");
        }
    }

    private static Result nothingToDo(
            TableDefinition definition, ScopeId scope, ScopeManifest manifest, String message) {
        long bytes = manifest.segments().stream().mapToLong(SegmentEntry::sizeBytes).sum();
        return new Result(definition.tableId(), scope, -1, 0, 0, 0, 0, 0, bytes, bytes, message);
    }
}
