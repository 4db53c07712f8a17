package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.split.TieredSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads the assigned splits one after the other, in the order they were assigned (the order of
 * commits for one scope).
 *
 * <p>Rows are not copied. A fetch opens the current split's cursor here, on the fetcher thread, and
 * returns a batch that pulls up to {@link #BATCH_SIZE} rows from that cursor as the reader emits
 * them; the row handed out is the cursor's reused row, valid until the next one. The next fetch
 * waits until that batch is recycled (fully emitted), so the cursor is never used by two threads at
 * once. When a cursor is exhausted, the next fetch closes it and reports the split finished.
 */
@Internal
public final class TieredSplitReader implements SplitReader<RowData, TieredSplit> {
    static final int BATCH_SIZE = 1024;

    /** Opens cursors; a seam for tests. */
    public interface CursorOpener {
        SplitCursor open(TieredSplit split) throws IOException;
    }

    private final CursorOpener opener;
    private final long limit;
    private final AtomicLong emitted;
    private final ArrayDeque<TieredSplit> splits = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition recycled = lock.newCondition();
    private boolean batchOut;
    private boolean wakeUp;

    private TieredSplit current;
    private SplitCursor cursor;
    private boolean exhausted;

    /**
     * @param limit rows this reader emits at most over all its splits, or -1 (limit push-down: the
     *     query still applies the limit after the source)
     * @param emitted rows emitted by the source reader, shared by the split readers it creates one
     *     after the other (the fetcher of an idle reader is shut down and replaced)
     */
    public TieredSplitReader(CursorOpener opener, long limit, AtomicLong emitted) {
        this.opener = opener;
        this.limit = limit;
        this.emitted = emitted;
    }

    @Override
    public RecordsWithSplitIds<RowData> fetch() throws IOException {
        if (!awaitRecycled()) {
            return new RecordsBySplits.Builder<RowData>().build();
        }
        if (current != null && exhausted) {
            return finishCurrent();
        }
        if (current == null) {
            current = splits.poll();
            if (current == null) {
                return new RecordsBySplits.Builder<RowData>().build();
            }
            exhausted = limitReached();
            if (!exhausted) {
                cursor = opener.open(current);
            }
            if (exhausted) {
                return finishCurrent();
            }
        }
        lock.lock();
        try {
            batchOut = true;
        } finally {
            lock.unlock();
        }
        return new Batch(current.splitId());
    }

    private boolean limitReached() {
        return limit >= 0 && emitted.get() >= limit;
    }

    private RecordsWithSplitIds<RowData> finishCurrent() throws IOException {
        String id = current.splitId();
        SplitCursor closing = cursor;
        current = null;
        cursor = null;
        exhausted = false;
        if (closing != null) {
            closing.close();
        }
        RecordsBySplits.Builder<RowData> finished = new RecordsBySplits.Builder<>();
        finished.addFinishedSplit(id);
        return finished.build();
    }

    /** Waits until the batch handed out last is recycled; false if woken up before. */
    private boolean awaitRecycled() throws IOException {
        lock.lock();
        try {
            while (batchOut && !wakeUp) {
                recycled.await();
            }
            boolean ready = !batchOut;
            wakeUp = false;
            return ready;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the reader to emit a batch", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<TieredSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Cannot handle split change " + splitsChanges.getClass().getSimpleName());
        }
        splits.addAll(splitsChanges.splits());
    }

    @Override
    public void wakeUp() {
        lock.lock();
        try {
            wakeUp = true;
            recycled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws Exception {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
    }

    /**
     * Up to {@link #BATCH_SIZE} rows of the current split, pulled from its cursor on the thread
     * that emits them.
     */
    private final class Batch implements RecordsWithSplitIds<RowData> {
        private String splitId;
        private int rows;

        Batch(String splitId) {
            this.splitId = splitId;
        }

        @Override
        public String nextSplit() {
            String next = splitId;
            splitId = null;
            return next;
        }

        @Override
        public RowData nextRecordFromSplit() {
            if (rows >= BATCH_SIZE || exhausted) {
                return null;
            }
            if (limitReached()) {
                exhausted = true;
                return null;
            }
            try {
                if (!cursor.next()) {
                    exhausted = true;
                    return null;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read split " + current.splitId(), e);
            }
            rows++;
            if (limit >= 0) {
                emitted.incrementAndGet();
            }
            return cursor.row();
        }

        @Override
        public Set<String> finishedSplits() {
            return Collections.emptySet(); // reported by the next fetch, on the fetcher thread
        }

        @Override
        public void recycle() {
            lock.lock();
            try {
                batchOut = false;
                recycled.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
