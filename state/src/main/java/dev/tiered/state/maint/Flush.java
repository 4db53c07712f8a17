package dev.tiered.state.maint;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.CommitConflictException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.merge.HotRows;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

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
 * A manual flush (STORAGE FLUSH TABLE): the committed hot rows of each scope — what its live hot
 * segments hold above {@code flushed_through_seq} — are written as one cold batch per scope, and
 * one {@code flush} commit adds the batches and raises the scopes' flushed-through bounds (which
 * retires the hot segments every scope of which is now flushed).
 *
 * <p>It needs no running writer and is safe beside one: it reads only committed hot segments, and
 * its commit goes through the table's committer like any other. A writer that keeps the flushed
 * rows in its hot store writes them again (same {@code _seq}, so the same versions) at its own next
 * flush; nothing is lost or doubled for readers. Rows a writer has not committed yet are not part
 * of the flush; they stay hot until the writer's next checkpoint.
 *
 * <p>At the commit point it checks that no hot segment committed meanwhile holds changes of the
 * scope at or below the new bound (a writer with a slower clock): those would be hidden, so the
 * commit fails with a conflict, the batches written are deleted, and the flush is read again.
 */
public final class Flush {
    private static final Logger LOG = LoggerFactory.getLogger(Flush.class);
    private static final int MAX_ATTEMPTS = 5;

    /** The writer identity of manual flush commits. */
    public static final String WRITER_ID = "maintenance-flush";

    /**
     * What the flush did to one scope.
     *
     * @param commit the flush commit, or -1 if the scope had no hot rows
     * @param rows rows (tombstones included) written to the batch
     */
    public record Result(
            String tableId, ScopeId scope, long commit, long rows, long bytes, String message) {
        public boolean flushed() {
            return commit > 0;
        }
    }

    private Flush() {}

    /**
     * Flushes every scope of the table that has committed hot rows, one commit per scope.
     *
     * @return one result per scope with hot rows; empty if there was nothing to flush
     * @throws TieredException for a STREAM table
     */
    public static List<Result> flushTable(TieredTable table, Clock clock) throws IOException {
        checkFlushable(table.definition());
        List<Result> results = new ArrayList<>();
        TableState state = table.latestState();
        Set<ScopeId> hot = new HashSet<>();
        for (HotSegmentRef segment : state.hotSegments()) {
            hot.addAll(segment.scopes());
        }
        for (ScopeId scope : state.liveScopeIds()) {
            if (hot.contains(scope)) {
                results.add(flushScope(table, scope, clock));
            }
        }
        return results;
    }

    /**
     * Flushes one scope as of the newest commit; retries a few times when a writer commits changes
     * of the scope below the flush's bound meanwhile.
     *
     * @throws TieredException for a STREAM table
     * @throws CommitConflictException if every attempt lost against concurrent writers
     */
    public static Result flushScope(TieredTable table, ScopeId scope, Clock clock)
            throws IOException {
        checkFlushable(table.definition());
        for (int attempt = 1; ; attempt++) {
            try {
                return tryFlush(table, scope, clock);
            } catch (CommitConflictException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.info(
                        "Flush of scope {} of {} conflicted ({}); reading it again",
                        scope,
                        table.definition().tableId(),
                        e.getMessage());
            }
        }
    }

    private static Result tryFlush(TieredTable table, ScopeId scope, Clock clock)
            throws IOException {
        TableDefinition definition = table.definition();
        TableState state = table.latestState();
        Comparator<RowData> keys =
                KeyComparators.forField(
                        definition.rowType().getTypeAt(definition.primaryKeyIndex()),
                        definition.primaryKeyIndex());
        HotRows hot = ScopeReader.hotRows(table, state, scope, clock.millis(), keys);
        if (hot.size() == 0) {
            return new Result(
                    definition.tableId(), scope, -1, 0, 0, "nothing to flush: no hot rows");
        }
        TieredTable.ScopePlacement placement = table.placeScope(state, scope);
        BatchRewriter.Output output;
        try (ChangeCursor rows = hot.cursor()) {
            output =
                    BatchRewriter.write(
                            rows,
                            definition,
                            scope,
                            placement.dir(),
                            Long.MAX_VALUE,
                            hot.size(),
                            seq -> false,
                            BatchWriter.Options.defaults(),
                            clock);
        }
        // The bound covers every segment read, not only the scope's own rows in them: a segment
        // is retired once every scope in it is flushed past its highest _seq. It is safe: the
        // scope's writer numbers its later changes above all it committed (a restored or new
        // writer continues above the log's highest _seq), and segments committed meanwhile are
        // checked at the commit point below.
        long bound = output.segments().stream().mapToLong(SegmentEntry::maxSeq).max().orElse(0);
        Set<String> read = new HashSet<>();
        for (HotSegmentRef segment : state.hotSegments()) {
            read.add(segment.path());
            if (segment.scopes().contains(scope)) {
                bound = Math.max(bound, segment.maxSeq());
            }
        }
        long flushedThrough = bound;
        PendingCommit pending = new PendingCommit("flush", WRITER_ID, -1);
        pending.changeScope(
                scope, output.segments(), List.of(), flushedThrough, placement.storage());
        pending.require(
                (current, manifests) -> {
                    for (HotSegmentRef segment : current.hotSegments()) {
                        if (!read.contains(segment.path())
                                && segment.scopes().contains(scope)
                                && segment.minSeq() <= flushedThrough) {
                            return "hot segment "
                                    + segment.path()
                                    + " committed meanwhile holds changes of scope "
                                    + scope
                                    + " at or below the flush bound "
                                    + flushedThrough;
                        }
                    }
                    return null;
                });
        long commit;
        try {
            commit = table.committer(clock).commit(pending, definition.schemaVersion()).commit();
        } catch (CommitConflictException e) {
            BatchRewriter.deleteQuietly(output.files(), e);
            throw e;
        }
        long bytes = output.segments().stream().mapToLong(SegmentEntry::sizeBytes).sum();
        LOG.info(
                "Flushed scope {} of {} in commit {}: {} rows, {} bytes",
                scope,
                definition.tableId(),
                commit,
                output.rowsWritten(),
                bytes);
        return new Result(
                definition.tableId(),
                scope,
                commit,
                output.rowsWritten(),
                bytes,
                "flushed "
                        + output.rowsWritten()
                        + " rows into "
                        + output.segments().size()
                        + " batch");
    }

    private static void checkFlushable(TableDefinition definition) {
        if (definition.type() == TableType.STREAM) {
            throw new TieredException(
                    "Cannot flush "
                            + definition.tableId()
                            + ": it is a STREAM table, which is never flushed to batches");
        }
    }
}
