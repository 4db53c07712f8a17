package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.KeyRange;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.ScopeReader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;

import java.io.IOException;
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
 * through the commit's own changes. The check is one merged read of the scope at the previous
 * commit, of the key column only and only over the range between the commit's smallest and largest
 * changed key (so appends of new, increasing keys — snowflake ids — skip every batch by its
 * statistics). Without a primary key every upsert is {@code +I}.
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
            TieredTable table, ReadConfig config, TieredSplit split, long nowMillis, int[] produced)
            throws IOException {
        TableDefinition definition = table.definition();
        LongPredicate live = ScopeReader.liveHotSeq(definition, Long.MIN_VALUE, nowMillis);
        int keyPos = definition.primaryKeyIndex();
        if (keyPos < 0) {
            ChangeCursor changes =
                    HotChangeCursor.open(table, split.scope(), split.hotSegments(), live);
            return new ChangelogCursor(changes, produced, null, null, null, null);
        }
        LogicalType keyType = definition.rowType().getTypeAt(keyPos);
        Comparator<RowData> keyOrder = KeyComparators.forField(keyType, keyPos);
        RowData[] keys = changedKeys(table, split, live, keyOrder, keyPos, keyType);
        KeyRange range = config.keyRange();
        RowData.FieldGetter keyGetter = RowData.createFieldGetter(keyType, keyPos);
        boolean[] inRange = new boolean[keys.length];
        for (int i = 0; i < keys.length; i++) {
            inRange[i] = range.isAll() || range.contains(keyGetter.getFieldOrNull(keys[i]));
        }
        boolean[] present = new boolean[keys.length];
        if (keys.length > 0 && split.commit() > 1) {
            probe(table, split, nowMillis, keys, present, keyOrder, keyGetter, keyPos);
        }
        ChangeCursor changes =
                HotChangeCursor.open(table, split.scope(), split.hotSegments(), live);
        return new ChangelogCursor(changes, produced, keyOrder, keys, present, inRange);
    }

    /** The distinct keys the split changes, sorted, each a row with only its key set. */
    private static RowData[] changedKeys(
            TieredTable table,
            TieredSplit split,
            LongPredicate live,
            Comparator<RowData> keyOrder,
            int keyPos,
            LogicalType keyType)
            throws IOException {
        int arity = table.definition().columns().size();
        RowData.FieldGetter getter = RowData.createFieldGetter(keyType, keyPos);
        TreeSet<RowData> keys = new TreeSet<>(keyOrder);
        try (ChangeCursor changes =
                HotChangeCursor.open(table, split.scope(), split.hotSegments(), live)) {
            while (changes.next()) {
                if (!keys.contains(changes.row())) {
                    GenericRowData key = new GenericRowData(arity);
                    key.setField(keyPos, copyKey(getter.getFieldOrNull(changes.row())));
                    keys.add(key);
                }
            }
        }
        return keys.toArray(new RowData[0]);
    }

    private static Object copyKey(Object key) {
        if (key instanceof org.apache.flink.table.data.binary.BinaryStringData s) {
            return s.copy();
        }
        if (key instanceof byte[] b) {
            return b.clone();
        }
        if (key instanceof org.apache.flink.table.data.DecimalData d) {
            return d.copy();
        }
        return key;
    }

    /** Marks the keys that exist in the scope at the commit before the split's. */
    private static void probe(
            TieredTable table,
            TieredSplit split,
            long nowMillis,
            RowData[] keys,
            boolean[] present,
            Comparator<RowData> keyOrder,
            RowData.FieldGetter keyGetter,
            int keyPos)
            throws IOException {
        String keyName = table.definition().columns().get(keyPos).name();
        BatchReadSpec spec =
                new BatchReadSpec(
                        List.of(keyName),
                        KeyRange.between(
                                keyGetter.getFieldOrNull(keys[0]),
                                keyGetter.getFieldOrNull(keys[keys.length - 1])));
        try (ChangeCursor before =
                ScopeReader.open(
                        table,
                        table.stateAt(split.commit() - 1),
                        split.scope(),
                        spec,
                        nowMillis,
                        false)) {
            int i = 0;
            while (i < keys.length && before.next()) {
                while (i < keys.length && keyOrder.compare(keys[i], before.row()) < 0) {
                    i++;
                }
                if (i < keys.length && keyOrder.compare(keys[i], before.row()) == 0) {
                    present[i++] = true;
                }
            }
        }
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
