package dev.tiered.sink.internal;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchFile;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.DictionaryHints;
import dev.tiered.state.cold.FileSyncs;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.hot.HotTable;
import dev.tiered.state.meta.CommitDelta;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Writes one scope's hot entries (key order, tombstones included) as one cold batch. A flush is
 * {@link #open opened} on the writer's task thread, which fixes what it holds (the cursor's
 * snapshot of the scope and the bound), and {@link #write written} on any one thread after that
 * (the writer's {@link BackgroundFlusher}), while the task thread goes on writing to the store.
 */
@Internal
final class ScopeFlusher implements AutoCloseable {
    /** Rows written between two looks at the cancel flag. */
    private static final int CANCEL_CHECK_ROWS = 4096;

    private final TieredTable table;
    private final ScopeId scope;
    private final Path path;
    private final String storage;
    private final long afterSeq;
    private final long flushedThroughSeq;
    private final long expectedRows;
    private final ChangeCursor rows;

    private ScopeFlusher(
            TieredTable table,
            ScopeId scope,
            Path path,
            String storage,
            long afterSeq,
            long flushedThroughSeq,
            long expectedRows,
            ChangeCursor rows) {
        this.table = table;
        this.scope = scope;
        this.path = path;
        this.storage = storage;
        this.afterSeq = afterSeq;
        this.flushedThroughSeq = flushedThroughSeq;
        this.expectedRows = expectedRows;
        this.rows = rows;
    }

    /**
     * Opens a flush of the scope's entries as they are now; on the store's thread.
     *
     * @param path where the batch goes
     * @param storage the storage the flush places a new scope in (see {@link
     *     TieredTable#placeScope}), or null
     * @param afterSeq write only the entries above this {@code _seq}: the bound of an earlier flush
     *     of the scope that awaits its commit, whose batch holds every entry at or below it (or
     *     {@link Long#MIN_VALUE} for all entries)
     * @param flushedThroughSeq a fresh id of the scope's one writer, taken after its last change:
     *     every change of the scope so far is below it (and in the batch, or superseded by one that
     *     is, or in the earlier batch), every later change above it — so it also covers the scope's
     *     part of the current hot segment, which can then be retired
     */
    static ScopeFlusher open(
            TieredTable table,
            HotTable hot,
            ScopeId scope,
            Path path,
            String storage,
            long afterSeq,
            long flushedThroughSeq)
            throws IOException {
        // sizes the key's bloom filter for the rows actually flushed
        long expectedRows = Math.max(1, hot.stats(scope).entries());
        return new ScopeFlusher(
                table,
                scope,
                path,
                storage,
                afterSeq,
                flushedThroughSeq,
                expectedRows,
                hot.cursor(scope));
    }

    ScopeId scope() {
        return scope;
    }

    long flushedThroughSeq() {
        return flushedThroughSeq;
    }

    Path path() {
        return path;
    }

    /**
     * Writes the batch and closes the cursor.
     *
     * @param syncs where the batch goes to be synced: durable once their {@code awaitAll()} returns
     * @param dictionaries the writer's dictionary hints, applied to the batch and taught by it
     * @param cancelled polled while writing; once true the batch is abandoned (deleted) and a
     *     {@link CancellationException} thrown
     * @return the flush: the batch entry and the bound; null if no entry is above {@code afterSeq}
     */
    CommitDelta.ScopeFlush write(
            Clock clock, FileSyncs syncs, DictionaryHints dictionaries, BooleanSupplier cancelled)
            throws IOException {
        BatchFile file;
        try (rows) {
            boolean found;
            while ((found = rows.next()) && rows.seq() <= afterSeq) {
                // in the earlier batch already
            }
            if (!found) {
                return null;
            }
            try (BatchWriter writer =
                    BatchWriter.create(
                            path.getFileSystem(),
                            path,
                            table.definition(),
                            scope,
                            dictionaries.apply(
                                    BatchWriter.Options.defaults().withExpectedRows(expectedRows)),
                            syncs)) {
                int untilCheck = CANCEL_CHECK_ROWS;
                do {
                    if (rows.seq() > afterSeq) {
                        writer.write(rows.row(), rows.seq(), rows.op());
                    }
                    if (--untilCheck == 0) {
                        untilCheck = CANCEL_CHECK_ROWS;
                        if (cancelled.getAsBoolean()) {
                            throw new CancellationException(
                                    "Flush of "
                                            + scope
                                            + " of "
                                            + table.definition().tableId()
                                            + " cancelled");
                        }
                    }
                } while (rows.next());
                file = writer.finish();
                dictionaries.learn(writer);
            }
        }
        return new CommitDelta.ScopeFlush(
                scope,
                List.of(Segments.entry(file, table.definition(), clock.millis())),
                Math.max(flushedThroughSeq, file.maxSeq()),
                storage);
    }

    /** Releases the cursor of a flush that will not be written. */
    @Override
    public void close() throws IOException {
        rows.close();
    }
}
