package dev.tiered.sink.internal;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchFile;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.hot.HotTable;
import dev.tiered.state.meta.CommitDelta;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.time.Clock;
import java.util.List;

/** Writes one scope's hot entries (key order, tombstones included) as one cold batch. */
@Internal
final class ScopeFlusher {
    private ScopeFlusher() {}

    /**
     * @param flushedThroughSeq a fresh id of the scope's one writer, taken after its last change:
     *     every change of the scope so far is below it (and in the batch, or superseded by one that
     *     is), every later change above it — so it also covers the scope's part of the current hot
     *     segment, which can then be retired
     * @param storage the storage the flush places a new scope in (see {@link
     *     dev.tiered.state.TieredTable#placeScope}), or null
     * @return the flush: the batch entry and the bound
     */
    static CommitDelta.ScopeFlush flush(
            TieredTable table,
            HotTable hot,
            ScopeId scope,
            Path path,
            String storage,
            Clock clock,
            long flushedThroughSeq)
            throws IOException {
        BatchFile file;
        try (ChangeCursor rows = hot.cursor(scope);
                BatchWriter writer =
                        BatchWriter.create(
                                path,
                                table.definition(),
                                scope,
                                // sizes the key's bloom filter for the rows actually flushed
                                BatchWriter.Options.defaults()
                                        .withExpectedRows(
                                                Math.max(1, hot.stats(scope).entries())))) {
            while (rows.next()) {
                writer.write(rows.row(), rows.seq(), rows.op());
            }
            file = writer.finish();
        }
        return new CommitDelta.ScopeFlush(
                scope,
                List.of(Segments.entry(file, table.definition(), clock.millis())),
                Math.max(flushedThroughSeq, file.maxSeq()),
                storage);
    }
}
