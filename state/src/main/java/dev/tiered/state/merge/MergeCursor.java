package dev.tiered.state.merge;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;

import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * K-way merge of one scope's sorted inputs (cold batches, hot rows): for every key, the version
 * with the highest {@code _seq} wins; a winning tombstone hides the key (or, with {@code
 * keepTombstones}, is emitted as a DELETE, which compaction needs). Streaming: holds one current
 * row per input, never the scope.
 *
 * <p>Contract on inputs: each is sorted by key and holds at most one version per key (flushes and
 * compactions write one version per key; hot rows are deduplicated when sorted). The winner's row
 * is the winning input's own row, valid until the next {@link #next()}: no copy is made.
 *
 * <p>Closing the merge closes every input.
 */
public final class MergeCursor implements ChangeCursor {

    private final List<ChangeCursor> inputs;
    private final PriorityQueue<ChangeCursor> heap;
    private final Comparator<RowData> keys;
    private final boolean keepTombstones;
    private final List<ChangeCursor> toAdvance = new ArrayList<>();
    private ChangeCursor current;

    public MergeCursor(List<ChangeCursor> inputs, Comparator<RowData> keys, boolean keepTombstones)
            throws IOException {
        this.inputs = List.copyOf(inputs);
        this.keys = keys;
        this.keepTombstones = keepTombstones;
        this.heap =
                new PriorityQueue<>(
                        Math.max(1, inputs.size()), (a, b) -> keys.compare(a.row(), b.row()));
        for (ChangeCursor input : this.inputs) {
            if (input.next()) {
                heap.add(input);
            }
        }
    }

    @Override
    public boolean next() throws IOException {
        for (ChangeCursor input : toAdvance) {
            if (input.next()) {
                heap.add(input);
            }
        }
        toAdvance.clear();
        while (!heap.isEmpty()) {
            ChangeCursor winner = heap.poll();
            toAdvance.add(winner);
            while (!heap.isEmpty() && keys.compare(heap.peek().row(), winner.row()) == 0) {
                ChangeCursor same = heap.poll();
                toAdvance.add(same);
                if (same.seq() > winner.seq()) {
                    winner = same;
                }
            }
            if (winner.op() == ChangeOp.UPSERT || keepTombstones) {
                current = winner;
                return true;
            }
            for (ChangeCursor input : toAdvance) {
                if (input.next()) {
                    heap.add(input);
                }
            }
            toAdvance.clear();
        }
        current = null;
        return false;
    }

    @Override
    public ScopeId scope() {
        return current.scope();
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
    public void close() throws IOException {
        IOException failure = null;
        for (ChangeCursor input : inputs) {
            try {
                input.close();
            } catch (IOException | RuntimeException e) {
                if (failure == null) {
                    failure = new IOException("Cannot close merge inputs", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
