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
 *   <li><b>Key index</b>: for each hot segment the reader has decoded, each scope's keys, sorted,
 *       with the newest {@code _seq} of the key in the segment and whether it is a delete. The
 *       changelog's existence check (see {@link ChangelogCursor}) answers from it for every key
 *       with a live hot version, without reading a segment again; a live segment the reader has not
 *       seen yet (older than its first split) is decoded once for its keys. Entries of segments no
 *       longer live are dropped.
 * </ul>
 *
 * <p>It also keeps the table state of the commit the last probe ran against and the scopes'
 * manifests, so the probes of one commit's splits do not fold the log or parse a manifest each.
 *
 * <p>Memory: the rows of one commit's hot segments (of the scopes the reader may read), a key and a
 * {@code _seq} per change in the live hot segments (bounded like the hot tier) and one manifest per
 * scope read. Used by the fetcher thread only; the rows it hands out are read-only copies, so the
 * task thread may read them while a later split is opened.
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
    private final Map<String, Map<ScopeId, SegmentKeys>> keyIndex = new HashMap<>();
    private long indexPrunedAt = -1;
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
     * Decides what the live hot segments of {@code scope} at {@code before} say about {@code keys}
     * (sorted key rows): for each key with a version above the scope's flushed-through bound,
     * {@code decided[i]} is set and {@code present[i]} tells whether its newest such version is an
     * upsert. Keys left undecided have no hot version: the batches decide them. Reads no file for
     * segments the reader decoded already.
     */
    synchronized void hotVersions(
            TableState before, ScopeId scope, RowData[] keys, boolean[] present, boolean[] decided)
            throws IOException {
        if (before.commit() != indexPrunedAt) {
            Set<String> live = new HashSet<>();
            for (HotSegmentRef segment : before.hotSegments()) {
                live.add(segment.path());
            }
            keyIndex.keySet().removeIf(path -> !live.contains(path) && !rows.containsKey(path));
            indexPrunedAt = before.commit();
        }
        long flushed = before.scope(scope).flushedThroughSeq();
        long[] newest = new long[keys.length];
        Arrays.fill(newest, Long.MIN_VALUE);
        for (HotSegmentRef segment : before.hotSegments()) {
            if (segment.maxSeq() <= flushed) {
                continue;
            }
            // A decoded segment's index names its scopes (a hash lookup); the commit record's
            // scope list is searched only before a segment is decoded, so that a user-filtered
            // read opens only segments with changes of its user.
            Map<ScopeId, SegmentKeys> index = keyIndex.get(segment.path());
            if (index == null) {
                if (!segment.scopes().contains(scope)) {
                    continue;
                }
                decode(segment.path(), false);
                index = keyIndex.get(segment.path());
            }
            SegmentKeys versions = index.get(scope);
            if (versions == null) {
                continue;
            }
            for (int i = 0; i < keys.length; i++) {
                int at = Arrays.binarySearch(versions.keys, keys[i], keyOrder);
                if (at >= 0 && versions.seqs[at] > flushed && versions.seqs[at] > newest[i]) {
                    newest[i] = versions.seqs[at];
                    present[i] = !versions.deletes[at];
                    decided[i] = true;
                }
            }
        }
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

    /** Reads a segment once: the key index of each scope, and its rows by scope if asked. */
    private Map<ScopeId, ScopeRows> decode(String segment, boolean keepRows) throws IOException {
        Map<ScopeId, ScopeRows> byScope = new HashMap<>();
        Map<ScopeId, ScopeRows> keysByScope = keyPos < 0 ? null : new HashMap<>();
        Path file = new Path(table.layout().hotDir(), segment);
        try (HotSegmentReader reader =
                HotSegmentReader.open(file.getFileSystem(), file, table.definition(), scopes)) {
            ScopeId last = null;
            ScopeRows current = null;
            ScopeRows currentKeys = null;
            while (reader.next()) {
                if (reader.scope() != last) {
                    last = reader.scope();
                    current = keepRows ? byScope.computeIfAbsent(last, s -> new ScopeRows()) : null;
                    currentKeys =
                            keysByScope == null
                                    ? null
                                    : keysByScope.computeIfAbsent(last, s -> new ScopeRows());
                }
                RowData row = reader.row();
                if (current != null) {
                    current.add(reader.seq(), reader.op(), serializer.toBinaryRow(row).copy());
                }
                if (currentKeys != null) {
                    currentKeys.add(reader.seq(), reader.op(), keyRow(row));
                }
            }
        }
        if (keysByScope != null) {
            Map<ScopeId, SegmentKeys> index = new HashMap<>(keysByScope.size() * 2);
            keysByScope.forEach((scope, part) -> index.put(scope, SegmentKeys.of(part, keyOrder)));
            keyIndex.put(segment, index);
        }
        return keepRows ? byScope : null;
    }

    /** A row with only the key set (a copy), as the key comparator reads it. */
    private RowData keyRow(RowData row) {
        GenericRowData key = new GenericRowData(keyPos + 1);
        key.setField(keyPos, copyKey(keyGetter.getFieldOrNull(row)));
        return key;
    }

    /**
     * The keys of one scope in one segment, sorted, each with its newest {@code _seq} in the
     * segment and whether that version is a delete.
     */
    private static final class SegmentKeys {
        final RowData[] keys;
        final long[] seqs;
        final boolean[] deletes;

        private SegmentKeys(RowData[] keys, long[] seqs, boolean[] deletes) {
            this.keys = keys;
            this.seqs = seqs;
            this.deletes = deletes;
        }

        /** From a scope's changes in arrival ({@code _seq}) order. */
        static SegmentKeys of(ScopeRows changes, Comparator<RowData> keyOrder) {
            Integer[] order = new Integer[changes.size];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            // Stable: the versions of a key stay in _seq order, the last one is the newest.
            Arrays.sort(order, (a, b) -> keyOrder.compare(changes.rows[a], changes.rows[b]));
            int distinct = 0;
            for (int i = 0; i < order.length; i++) {
                if (i + 1 == order.length
                        || keyOrder.compare(changes.rows[order[i]], changes.rows[order[i + 1]])
                                != 0) {
                    distinct++;
                }
            }
            RowData[] keys = new RowData[distinct];
            long[] seqs = new long[distinct];
            boolean[] deletes = new boolean[distinct];
            int k = 0;
            for (int i = 0; i < order.length; i++) {
                int at = order[i];
                if (i + 1 == order.length
                        || keyOrder.compare(changes.rows[at], changes.rows[order[i + 1]]) != 0) {
                    keys[k] = changes.rows[at];
                    seqs[k] = changes.seqs[at];
                    deletes[k] = changes.ops[at] == ChangeOp.DELETE;
                    k++;
                }
            }
            return new SegmentKeys(keys, seqs, deletes);
        }
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
