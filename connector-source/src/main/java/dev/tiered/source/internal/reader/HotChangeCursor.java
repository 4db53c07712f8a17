package dev.tiered.source.internal.reader;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentReader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.LongPredicate;

/**
 * One scope's changes in a set of hot segments, in {@code _seq} order, without holding them: each
 * segment is in its writer's arrival order, which is {@code _seq} order, and segments are merged by
 * {@code _seq} (several segments of one scope in one commit happen only while a rescale hands the
 * scope from one writer to another). The row is the current segment's reused row.
 */
@Internal
public final class HotChangeCursor implements ChangeCursor {
    private final List<HotSegmentReader> readers;
    private final PriorityQueue<HotSegmentReader> heap;
    private final LongPredicate keep;
    private HotSegmentReader current;
    private HotSegmentReader toAdvance;

    private HotChangeCursor(List<HotSegmentReader> readers, LongPredicate keep) throws IOException {
        this.readers = readers;
        this.keep = keep;
        this.heap =
                new PriorityQueue<>(
                        Math.max(1, readers.size()), (a, b) -> Long.compare(a.seq(), b.seq()));
        for (HotSegmentReader reader : readers) {
            if (advance(reader)) {
                heap.add(reader);
            }
        }
    }

    /**
     * Opens the segments, reading only the changes of {@code scope} whose {@code _seq} passes
     * {@code keep}.
     */
    public static HotChangeCursor open(
            TieredTable table, ScopeId scope, List<String> segments, LongPredicate keep)
            throws IOException {
        List<HotSegmentReader> readers = new ArrayList<>(segments.size());
        try {
            for (String segment : segments) {
                Path file = new Path(table.layout().hotDir(), segment);
                readers.add(
                        HotSegmentReader.open(
                                file.getFileSystem(), file, table.definition(), scope::equals));
            }
            return new HotChangeCursor(readers, keep);
        } catch (IOException | RuntimeException e) {
            closeAll(readers, e);
            throw e;
        }
    }

    private boolean advance(HotSegmentReader reader) throws IOException {
        while (reader.next()) {
            if (keep.test(reader.seq())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean next() throws IOException {
        if (toAdvance != null) {
            if (advance(toAdvance)) {
                heap.add(toAdvance);
            }
            toAdvance = null;
        }
        current = heap.poll();
        toAdvance = current;
        return current != null;
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
        IOException failure = new IOException("Cannot close hot segments");
        closeAll(readers, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    private static void closeAll(List<HotSegmentReader> readers, Exception failure) {
        for (HotSegmentReader reader : readers) {
            try {
                reader.close();
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
