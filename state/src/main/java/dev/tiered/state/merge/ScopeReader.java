package dev.tiered.state.merge;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Reads one scope of a table as of one commit: the merge of the batches its manifest lists and of
 * its live hot changes above {@code flushed_through_seq} — newest {@code _seq} per key wins,
 * tombstones hide older versions, and rows already flushed are not read twice (DESIGN §3, §6).
 * STREAM tables return only changes younger than {@code TTL_SECONDS} at {@code nowMillis}.
 *
 * <p>Batches stream through the merge; hot changes of the scope are held, deduplicated and sorted
 * ({@link HotRows}). The returned cursor owns every file it opened: close it.
 */
public final class ScopeReader {
    private ScopeReader() {}

    /**
     * @param spec projection and key range pushed into the batches (the key is always read)
     * @param keepTombstones emit winning tombstones as DELETEs (compaction) instead of hiding them
     */
    public static ChangeCursor open(
            TieredTable table,
            TableState state,
            ScopeId scope,
            BatchReadSpec spec,
            long nowMillis,
            boolean keepTombstones)
            throws IOException {
        TableDefinition definition = table.definition();
        if (definition.primaryKeyIndex() < 0) {
            throw new IllegalArgumentException(
                    "Cannot merge scope "
                            + scope
                            + " of "
                            + definition.tableId()
                            + ": it has no key");
        }
        ScopeManifest manifest = table.manifest(state, scope);
        List<String> batches = new ArrayList<>(manifest.segments().size());
        for (SegmentEntry segment : manifest.segments()) {
            batches.add(batchLocation(table, state, scope, segment));
        }
        List<String> hotFiles = new ArrayList<>();
        for (HotSegmentRef segment : state.hotSegments()) {
            if (segment.scopes().contains(scope)) {
                hotFiles.add(segment.path());
            }
        }
        return open(
                table,
                scope,
                batches,
                hotFiles,
                state.scope(scope).flushedThroughSeq(),
                spec,
                nowMillis,
                keepTombstones);
    }

    /**
     * How a file list names a batch of {@code scope}: its file name when the scope lives in the
     * table's own storage, else its full path (a batch name never holds a {@code /}).
     */
    public static String batchLocation(
            TieredTable table, TableState state, ScopeId scope, SegmentEntry batch) {
        if (table.layout().isOwnStorage(state.scope(scope).storage())) {
            return batch.path();
        }
        return new Path(table.scopeDir(state, scope), batch.path()).toString();
    }

    /**
     * Reads one scope from an explicit file list (a source split planned from a pinned commit): the
     * merge of {@code batches} and of the scope's changes in {@code hotSegments} above {@code
     * flushedThroughSeq}. Opens exactly these files and no metadata.
     *
     * @param batches the scope's cold batches as {@link #batchLocation}s: file names in the scope's
     *     directory in the table's storage, or full paths for a scope in another storage
     * @param hotSegments file names under the table's {@code _hot/} directory holding changes of
     *     the scope
     */
    public static ChangeCursor open(
            TieredTable table,
            ScopeId scope,
            List<String> batches,
            List<String> hotSegments,
            long flushedThroughSeq,
            BatchReadSpec spec,
            long nowMillis,
            boolean keepTombstones)
            throws IOException {
        TableDefinition definition = table.definition();
        if (definition.primaryKeyIndex() < 0) {
            throw new IllegalArgumentException(
                    "Cannot merge scope "
                            + scope
                            + " of "
                            + definition.tableId()
                            + ": it has no key");
        }
        Comparator<RowData> keys =
                KeyComparators.forField(
                        definition.rowType().getTypeAt(definition.primaryKeyIndex()),
                        definition.primaryKeyIndex());
        Path scopeDir = table.scopeDir(scope);
        List<ChangeCursor> inputs = new ArrayList<>();
        try {
            for (String batch : batches) {
                Path file = batch.indexOf('/') >= 0 ? new Path(batch) : new Path(scopeDir, batch);
                inputs.add(BatchReader.open(file, definition, scope, spec));
            }
            inputs.add(
                    hotRows(table, scope, hotSegments, flushedThroughSeq, nowMillis, keys)
                            .cursor());
            return new MergeCursor(inputs, keys, keepTombstones);
        } catch (IOException | RuntimeException e) {
            for (ChangeCursor input : inputs) {
                try {
                    input.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The scope's live hot changes at {@code state}: newest version per key of the changes in its
     * live hot segments above {@code flushed_through_seq} (and, for STREAM tables, younger than the
     * TTL at {@code nowMillis}), tombstones included. This is what a flush of the scope writes.
     */
    public static HotRows hotRows(
            TieredTable table,
            TableState state,
            ScopeId scope,
            long nowMillis,
            Comparator<RowData> keys)
            throws IOException {
        List<String> files = new ArrayList<>();
        for (HotSegmentRef segment : state.hotSegments()) {
            if (segment.scopes().contains(scope)) {
                files.add(segment.path());
            }
        }
        return hotRows(
                table, scope, files, state.scope(scope).flushedThroughSeq(), nowMillis, keys);
    }

    private static HotRows hotRows(
            TieredTable table,
            ScopeId scope,
            List<String> hotSegments,
            long flushedThroughSeq,
            long nowMillis,
            Comparator<RowData> keys)
            throws IOException {
        TableDefinition definition = table.definition();
        HotRows hot = new HotRows(scope, definition.rowType(), keys);
        LongPredicate live = liveHotSeq(definition, flushedThroughSeq, nowMillis);
        for (String segment : hotSegments) {
            Path file = new Path(table.layout().hotDir(), segment);
            try (HotSegmentReader reader =
                    HotSegmentReader.open(file.getFileSystem(), file, definition, scope::equals)) {
                hot.addAll(reader, live);
            }
        }
        return hot;
    }

    /**
     * Which hot {@code _seq}s are live: above the scope's flushed-through bound and, for STREAM
     * tables, written less than {@code TTL_SECONDS} before {@code nowMillis}.
     */
    public static LongPredicate liveHotSeq(
            TableDefinition definition, long flushedThroughSeq, long nowMillis) {
        if (definition.type() == TableType.STREAM) {
            long ttlMillis = definition.options().ttlMillis().orElse(Long.MAX_VALUE);
            return seq ->
                    seq > flushedThroughSeq
                            && nowMillis - SnowflakeIds.timestampMillis(seq) < ttlMillis;
        }
        return seq -> seq > flushedThroughSeq;
    }
}
