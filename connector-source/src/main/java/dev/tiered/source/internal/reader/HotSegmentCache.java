package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.TableState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

/**
 * What one source reader remembers of hot segments, so that the changes splits of a commit, one per
 * scope, cost about the commit's data and not scopes × data.
 *
 * <ul>
 *   <li><b>Changes</b>: a hot segment holds the changes of every scope its writer saw in one
 *       checkpoint (about all users of a USER table). The first changes split of a commit that
 *       lists a segment decodes it once and keeps its rows grouped by scope; the other splits of
 *       that commit take their scope's rows from here (USER tables only: the segments of SHARED and
 *       STREAM tables hold one scope, and are streamed). Only the newest commit's segments are
 *       kept: splits reach a reader in commit order, so an older commit is not asked for again (if
 *       it were, it would be decoded again, still correctly).
 *   <li><b>Key ranges</b>: the smallest and largest key of each scope in each hot segment the
 *       reader has decoded. The changelog's existence check (see {@link ChangelogCursor}) reads
 *       only the live hot segments whose key range of the scope overlaps the changed keys; a live
 *       segment the reader has not seen yet (older than its first split) is decoded once for its
 *       ranges. Ranges of segments no longer live are dropped.
 * </ul>
 *
 * <p>It also keeps the table state of the commit the last probe ran against and the scopes'
 * manifests, so the probes of one commit's splits do not fold the log or parse a manifest each.
 *
 * <p>Memory: the rows of one commit's hot segments (of the scopes the reader may read), one key
 * range per (live hot segment, scope) and one manifest per scope read. Used by the fetcher thread
 * only; the rows it hands out are read-only copies, so the task thread may read them while a later
 * split is opened.
 */
@Internal
final class HotSegmentCache {
    private final TieredTable table;
    private final Predicate<ScopeId> scopes;
    private final boolean manyScopes;
    private final RowDataSerializer serializer;
    private final int keyPos;
    private final Comparator<RowData> keyOrder;
    private final RowData.FieldGetter keyGetter;

    private long commit = -1;
    private final Map<String, Map<ScopeId, ScopeRows>> rows = new HashMap<>();
    private final Map<String, Map<ScopeId, RowData[]>> keyRanges = new HashMap<>();
    private long rangesPrunedAt = -1;
    private TableState state;
    private final Map<ScopeId, ScopeManifest> manifests = new HashMap<>();

    /**
     * @param scopes the scopes whose changes the reader may read (the user filter, or all)
     */
    HotSegmentCache(TieredTable table, Predicate<ScopeId> scopes) {
        this.table = table;
        this.scopes = scopes;
        TableDefinition definition = table.definition();
        this.manyScopes = definition.type() == TableType.USER;
        this.serializer = new RowDataSerializer(definition.rowType());
        this.keyPos = definition.primaryKeyIndex();
        if (keyPos >= 0) {
            LogicalType keyType = definition.rowType().getTypeAt(keyPos);
            this.keyOrder = KeyComparators.forField(keyType, keyPos);
            this.keyGetter = RowData.createFieldGetter(keyType, keyPos);
        } else {
            this.keyOrder = null;
            this.keyGetter = null;
        }
    }

    /**
     * The changes of the split's scope in the split's hot segments whose {@code _seq} passes {@code
     * live}, in {@code _seq} order.
     */
    synchronized ChangeCursor changes(TieredSplit split, LongPredicate live) throws IOException {
        if (!manyScopes) {
            // One scope per table: nothing to share with other splits, so stream the segments
            // instead of holding them.
            return HotChangeCursor.open(table, split.scope(), split.hotSegments(), live);
        }
        if (split.commit() != commit) {
            rows.clear();
            commit = split.commit();
        }
        ScopeId scope = split.scope();
        List<ScopeRows> parts = new ArrayList<>(split.hotSegments().size());
        for (String segment : split.hotSegments()) {
            Map<ScopeId, ScopeRows> byScope = rows.get(segment);
            if (byScope == null) {
                byScope = decode(segment, true);
                rows.put(segment, byScope);
            }
            ScopeRows part = byScope.get(scope);
            if (part != null) {
                parts.add(part);
            }
        }
        return new RowsCursor(scope, ScopeRows.merge(parts), live);
    }

    /**
     * The live hot segments of {@code scope} at {@code before} whose key range of the scope holds
     * one of {@code keys} (sorted, as key rows): the others hold no version of any of them.
     */
    synchronized List<String> hotSegmentsWithAnyOf(TableState before, ScopeId scope, RowData[] keys)
            throws IOException {
        if (before.commit() != rangesPrunedAt) {
            Set<String> live = new HashSet<>();
            for (HotSegmentRef segment : before.hotSegments()) {
                live.add(segment.path());
            }
            keyRanges.keySet().removeIf(path -> !live.contains(path) && !rows.containsKey(path));
            rangesPrunedAt = before.commit();
        }
        long flushed = before.scope(scope).flushedThroughSeq();
        List<String> overlapping = new ArrayList<>();
        for (HotSegmentRef segment : before.hotSegments()) {
            if (segment.maxSeq() <= flushed) {
                continue;
            }
            // A decoded segment's ranges name its scopes (a hash lookup); the commit record's
            // scope list is searched only before a segment is decoded, so that a user-filtered
            // read opens only segments with changes of its user.
            Map<ScopeId, RowData[]> ranges = keyRanges.get(segment.path());
            if (ranges == null) {
                if (!segment.scopes().contains(scope)) {
                    continue;
                }
                decode(segment.path(), false);
                ranges = keyRanges.get(segment.path());
            }
            RowData[] bounds = ranges.get(scope);
            if (bounds != null && holdsAnyOf(bounds, keys)) {
                overlapping.add(segment.path());
            }
        }
        return overlapping;
    }

    /** Whether some key lies in {@code [bounds[0], bounds[1]]}. */
    private boolean holdsAnyOf(RowData[] bounds, RowData[] keys) {
        int i = Arrays.binarySearch(keys, bounds[0], keyOrder);
        if (i >= 0) {
            return true;
        }
        int above = -i - 1;
        return above < keys.length && keyOrder.compare(keys[above], bounds[1]) <= 0;
    }

    /**
     * The table state at {@code commit}: the changes splits of one commit all probe the state of
     * the commit before, which is read (log checkpoint plus commits) once.
     */
    synchronized TableState stateAt(long commit) throws IOException {
        if (state == null || state.commit() != commit) {
            state = table.stateAt(commit);
        }
        return state;
    }

    /** The scope's manifest at {@code state}, read again only when a commit made a new version. */
    synchronized ScopeManifest manifest(TableState state, ScopeId scope) throws IOException {
        TableState.ScopeState version = state.scope(scope);
        ScopeManifest manifest = manifests.get(scope);
        if (manifest == null
                || manifest.version() != version.version()
                || manifest.lastCommit() != version.lastCommit()) {
            manifest = table.manifest(state, scope);
            manifests.put(scope, manifest);
        }
        return manifest;
    }

    /** Reads a segment once: the key range of each scope, and its rows by scope if asked. */
    private Map<ScopeId, ScopeRows> decode(String segment, boolean keepRows) throws IOException {
        Map<ScopeId, ScopeRows> byScope = new HashMap<>();
        Path file = new Path(table.layout().hotDir(), segment);
        try (HotSegmentReader reader =
                HotSegmentReader.open(file.getFileSystem(), file, table.definition(), scopes)) {
            ScopeId last = null;
            ScopeRows current = null;
            while (reader.next()) {
                if (reader.scope() != last) {
                    last = reader.scope();
                    current = byScope.computeIfAbsent(last, s -> new ScopeRows());
                }
                RowData row = reader.row();
                if (keepRows) {
                    current.add(reader.seq(), reader.op(), serializer.toBinaryRow(row).copy());
                }
                if (keyPos >= 0) {
                    current.extendKeyRange(row, keyOrder, keyGetter, keyPos);
                }
            }
        }
        if (keyPos >= 0) {
            Map<ScopeId, RowData[]> ranges = new HashMap<>(byScope.size() * 2);
            byScope.forEach(
                    (scope, part) -> ranges.put(scope, new RowData[] {part.minKey, part.maxKey}));
            keyRanges.put(segment, ranges);
        }
        return keepRows ? byScope : null;
    }

    /** A key value that outlives the row it was read from (strings and bytes are views). */
    static Object copyKey(Object key) {
        if (key instanceof BinaryStringData s) {
            return s.copy();
        }
        if (key instanceof byte[] b) {
            return b.clone();
        }
        if (key instanceof DecimalData d) {
            return d.copy();
        }
        return key;
    }

    /** One scope's changes in one segment, in arrival ({@code _seq}) order. */
    private static final class ScopeRows {
        private long[] seqs = new long[4];
        private ChangeOp[] ops = new ChangeOp[4];
        private RowData[] rows = new RowData[4];
        private int size;
        private GenericRowData minKey;
        private GenericRowData maxKey;

        void add(long seq, ChangeOp op, RowData row) {
            if (size == seqs.length) {
                int capacity = size * 2;
                seqs = Arrays.copyOf(seqs, capacity);
                ops = Arrays.copyOf(ops, capacity);
                rows = Arrays.copyOf(rows, capacity);
            }
            seqs[size] = seq;
            ops[size] = op;
            rows[size] = row;
            size++;
        }

        /** Widens the key range by the key of {@code row}; allocates only when a bound moves. */
        void extendKeyRange(
                RowData row, Comparator<RowData> keyOrder, RowData.FieldGetter key, int keyPos) {
            if (minKey == null) {
                minKey = keyRow(row, key, keyPos);
                maxKey = keyRow(row, key, keyPos);
            } else if (keyOrder.compare(row, minKey) < 0) {
                minKey = keyRow(row, key, keyPos);
            } else if (keyOrder.compare(row, maxKey) > 0) {
                maxKey = keyRow(row, key, keyPos);
            }
        }

        private static GenericRowData keyRow(RowData row, RowData.FieldGetter key, int keyPos) {
            GenericRowData keyRow = new GenericRowData(row.getArity());
            keyRow.setField(keyPos, copyKey(key.getFieldOrNull(row)));
            return keyRow;
        }

        /**
         * The parts' changes in {@code _seq} order. Several parts (segments) of one scope in one
         * commit happen only while a rescale hands the scope from one writer to another.
         */
        static ScopeRows merge(List<ScopeRows> parts) {
            if (parts.isEmpty()) {
                return new ScopeRows();
            }
            if (parts.size() == 1) {
                return parts.get(0);
            }
            ScopeRows all = new ScopeRows();
            for (ScopeRows part : parts) {
                for (int i = 0; i < part.size; i++) {
                    all.add(part.seqs[i], part.ops[i], part.rows[i]);
                }
            }
            Integer[] order = new Integer[all.size];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingLong(i -> all.seqs[i]));
            ScopeRows sorted = new ScopeRows();
            for (int i : order) {
                sorted.add(all.seqs[i], all.ops[i], all.rows[i]);
            }
            return sorted;
        }
    }

    /** A scope's cached changes as a cursor; rows are the cache's, not copied again. */
    private static final class RowsCursor implements ChangeCursor {
        private final ScopeId scope;
        private final ScopeRows rows;
        private final LongPredicate live;
        private int at = -1;

        RowsCursor(ScopeId scope, ScopeRows rows, LongPredicate live) {
            this.scope = scope;
            this.rows = rows;
            this.live = live;
        }

        @Override
        public boolean next() {
            while (++at < rows.size) {
                if (live.test(rows.seqs[at])) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public ScopeId scope() {
            return scope;
        }

        @Override
        public long seq() {
            return rows.seqs[at];
        }

        @Override
        public ChangeOp op() {
            return rows.ops[at];
        }

        @Override
        public RowData row() {
            return rows.rows[at];
        }

        @Override
        public void close() {}
    }
}
