package dev.tiered.state.merge;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

import java.io.IOException;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * One scope's live hot changes, deduplicated to the newest version per key and sorted by key: the
 * hot input of a merge. Hot segments are in arrival order, so this is the one place a read holds
 * rows in memory; its size is bounded by the hot tier's cap ({@code hot.max-bytes}), not by the
 * scope.
 */
public final class HotRows {
    private record Version(long seq, ChangeOp op, RowData row) {}

    private final ScopeId scope;
    private final Rows rows;
    private final TreeMap<RowData, Version> byKey;

    public HotRows(ScopeId scope, RowType rowType, Comparator<RowData> keys) {
        this.scope = scope;
        this.rows = new Rows(rowType);
        this.byKey = new TreeMap<>(keys);
    }

    /**
     * Adds the changes of {@code source} that belong to this scope and pass {@code keepSeq} (e.g.
     * above the scope's flushed-through bound, younger than a STREAM TTL). Closes nothing.
     */
    public HotRows addAll(ChangeCursor source, LongPredicate keepSeq) throws IOException {
        while (source.next()) {
            if (!scope.equals(source.scope()) || !keepSeq.test(source.seq())) {
                continue;
            }
            Version existing = byKey.get(source.row());
            if (existing == null || existing.seq() < source.seq()) {
                RowData copy = rows.copy(source.row());
                byKey.put(copy, new Version(source.seq(), source.op(), copy));
            }
        }
        return this;
    }

    public int size() {
        return byKey.size();
    }

    /** The rows in key order, tombstones included. */
    public ChangeCursor cursor() {
        Iterator<Map.Entry<RowData, Version>> it = byKey.entrySet().iterator();
        return new ChangeCursor() {
            private Version current;

            @Override
            public boolean next() {
                current = it.hasNext() ? it.next().getValue() : null;
                return current != null;
            }

            @Override
            public ScopeId scope() {
                return scope;
            }

            @Override
            public long seq() {
                return current.seq();
            }

            @Override
            public ChangeOp op() {
                return current.op();
            }

            @Override
            public RowData row() {
                return current.row();
            }

            @Override
            public void close() {}
        };
    }
}
