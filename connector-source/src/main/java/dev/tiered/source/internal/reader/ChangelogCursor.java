package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.KeyRange;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.ColumnStats;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * The changelog of one commit for one scope: the scope's rows in the hot segments the commit added,
 * in {@code _seq} order.
 *
 * <p>With a primary key, a change's kind depends on whether its key existed just before it: an
 * upsert of a key that existed is {@code +U}, of one that did not {@code +I}; a delete of a key
 * that existed is {@code -D}, of one that did not nothing. "Existed" is decided once per key, for
 * the commit's first change of the key, against the table at the previous commit, and then followed
 * through the commit's own changes. The live hot segments answer first, from the reader's key index
 * of them ({@link HotSegmentCache}): a key with a version there above the scope's flushed-through
 * bound existed if that newest version is an upsert. The keys without one are checked by a merged
 * read of the scope's batches at the previous commit, of the key column only and only over their
 * key range, of the batches whose key statistics overlap it (so appends of new, increasing keys —
 * snowflake ids — open no file). Without a primary key every upsert is {@code +I}.
 *
 * <p>The rows come from the reader's {@link HotSegmentCache}: a commit's hot segments hold the
 * changes of many scopes and are decoded once for all of that commit's splits.
 *
 * <p>Cost per change: one copy of each distinct key (first pass) and a binary search over them.
 */
@Internal
final class ChangelogCursor implements SplitCursor {
    private final ChangeCursor changes;
    private final ProjectedRowData projected;
    private final Comparator<RowData> keyOrder;
    private final RowData[] keys;
    private final boolean[] present;
    private final boolean[] inRange;

    private ChangelogCursor(
            ChangeCursor changes,
            int[] produced,
            Comparator<RowData> keyOrder,
            RowData[] keys,
            boolean[] present,
            boolean[] inRange) {
        this.changes = changes;
        this.projected = ProjectedRowData.from(produced);
        this.keyOrder = keyOrder;
        this.keys = keys;
        this.present = present;
        this.inRange = inRange;
    }

    static SplitCursor open(
            TieredTable table,
            ReadConfig config,
            HotSegmentCache cache,
            TieredSplit split,
            long nowMillis,
            int[] produced)
            throws IOException {
        TableDefinition definition = table.definition();
        LongPredicate live = ScopeReader.liveHotSeq(definition, Long.MIN_VALUE, nowMillis);
        int keyPos = definition.primaryKeyIndex();
        if (keyPos < 0) {
            return new ChangelogCursor(
                    cache.changes(split, live), produced, null, null, null, null);
        }
        LogicalType keyType = definition.rowType().getTypeAt(keyPos);
        Comparator<RowData> keyOrder = KeyComparators.forField(keyType, keyPos);
        RowData.FieldGetter keyGetter = RowData.createFieldGetter(keyType, keyPos);
        RowData[] keys =
                changedKeys(
                        cache.changes(split, live),
                        keyOrder,
                        keyGetter,
                        keyPos,
                        definition.columns().size());
        KeyRange range = config.keyRange();
        boolean[] inRange = new boolean[keys.length];
        for (int i = 0; i < keys.length; i++) {
            inRange[i] = range.isAll() || range.contains(keyGetter.getFieldOrNull(keys[i]));
        }
        boolean[] present = new boolean[keys.length];
        if (keys.length > 0 && split.commit() > 1) {
            probe(table, cache, split, nowMillis, keys, present, keyOrder, keyGetter, keyPos);
        }
        return new ChangelogCursor(
                cache.changes(split, live), produced, keyOrder, keys, present, inRange);
    }

    /** The distinct keys of the changes, sorted, each a row with only its key set. */
    private static RowData[] changedKeys(
            ChangeCursor changes,
            Comparator<RowData> keyOrder,
            RowData.FieldGetter getter,
            int keyPos,
            int arity)
            throws IOException {
        TreeSet<RowData> keys = new TreeSet<>(keyOrder);
        try (changes) {
            while (changes.next()) {
                if (!keys.contains(changes.row())) {
                    GenericRowData key = new GenericRowData(arity);
                    key.setField(
                            keyPos, HotSegmentCache.copyKey(getter.getFieldOrNull(changes.row())));
                    keys.add(key);
                }
            }
        }
        return keys.toArray(new RowData[0]);
    }

    /**
     * Marks the keys that exist in the scope at the commit before the split's: by their newest live
     * hot version ({@link HotSegmentCache#hotVersions}), else by a merged read of the key column of
     * the batches whose manifest key statistics overlap the range of the keys left.
     */
    private static void probe(
            TieredTable table,
            HotSegmentCache cache,
            TieredSplit split,
            long nowMillis,
            RowData[] keys,
            boolean[] present,
            Comparator<RowData> keyOrder,
            RowData.FieldGetter keyGetter,
            int keyPos)
            throws IOException {
        ScopeId scope = split.scope();
        TableState before = cache.stateAt(split.commit() - 1);
        boolean[] decided = new boolean[keys.length];
        cache.hotVersions(before, scope, keys, present, decided);
        int first = 0;
        while (first < keys.length && decided[first]) {
            first++;
        }
        int last = keys.length - 1;
        while (last >= first && decided[last]) {
            last--;
        }
        if (first > last) {
            return; // every changed key has a hot version: the batches cannot change the answer
        }
        KeyRange undecided =
                KeyRange.between(
                        keyGetter.getFieldOrNull(keys[first]),
                        keyGetter.getFieldOrNull(keys[last]));
        List<String> batches = batchesOverlapping(table, cache, before, scope, undecided, keyPos);
        if (batches.isEmpty()) {
            return;
        }
        String keyName = table.definition().columns().get(keyPos).name();
        // Only the batches: a hot version above the flushed-through bound is newer than any
        // batch row, and the keys that have one are decided already.
        try (ChangeCursor existing =
                ScopeReader.open(
                        table,
                        scope,
                        batches,
                        List.of(),
                        before.scope(scope).flushedThroughSeq(),
                        new BatchReadSpec(List.of(keyName), undecided),
                        nowMillis,
                        false)) {
            int i = 0;
            while (i < keys.length && existing.next()) {
                while (i < keys.length && keyOrder.compare(keys[i], existing.row()) < 0) {
                    i++;
                }
                if (i < keys.length && keyOrder.compare(keys[i], existing.row()) == 0) {
                    if (!decided[i]) {
                        present[i] = true;
                    }
                    i++;
                }
            }
        }
    }

    /** The scope's batches at {@code state} whose manifest key statistics overlap {@code range}. */
    private static List<String> batchesOverlapping(
            TieredTable table,
            HotSegmentCache cache,
            TableState state,
            ScopeId scope,
            KeyRange range,
            int keyPos)
            throws IOException {
        int keyId = table.definition().columns().get(keyPos).id();
        List<String> batches = new ArrayList<>();
        for (SegmentEntry batch : cache.manifest(state, scope).segments()) {
            ColumnStats stats = batch.columnStats().get(keyId);
            if (stats == null || range.overlaps(stats.min(), stats.max())) {
                batches.add(ScopeReader.batchLocation(table, state, scope, batch));
            }
        }
        return batches;
    }

    @Override
    public boolean next() throws IOException {
        while (changes.next()) {
            RowData row = changes.row();
            RowKind kind;
            if (keys == null) {
                if (changes.op() != ChangeOp.UPSERT) {
                    continue;
                }
                kind = RowKind.INSERT;
            } else {
                int i = Arrays.binarySearch(keys, row, keyOrder);
                if (!inRange[i]) {
                    continue;
                }
                if (changes.op() == ChangeOp.DELETE) {
                    if (!present[i]) {
                        continue; // deleting a key that does not exist changes nothing
                    }
                    present[i] = false;
                    kind = RowKind.DELETE;
                } else {
                    kind = present[i] ? RowKind.UPDATE_AFTER : RowKind.INSERT;
                    present[i] = true;
                }
            }
            row.setRowKind(kind);
            projected.replaceRow(row);
            return true;
        }
        return false;
    }

    @Override
    public RowData row() {
        return projected;
    }

    @Override
    public void close() throws IOException {
        changes.close();
    }
}
