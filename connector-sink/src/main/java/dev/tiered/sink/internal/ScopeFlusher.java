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

/** Writes one scope's hot entries (key order, tombstones included) as one cold batch. */
@Internal
final class ScopeFlusher {
    private ScopeFlusher() {}

    /**
     * @param afterSeq write only the entries above this {@code _seq}: the bound of an earlier flush
     *     of the scope that awaits its commit, whose batch holds every entry at or below it (or
     *     {@link Long#MIN_VALUE} for all entries)
     * @param flushedThroughSeq a fresh id of the scope's one writer, taken after its last change:
     *     every change of the scope so far is below it (and in the batch, or superseded by one that
     *     is, or in the earlier batch), every later change above it — so it also covers the scope's
     *     part of the current hot segment, which can then be retired
     * @param storage the storage the flush places a new scope in (see {@link
     *     dev.tiered.state.TieredTable#placeScope}), or null
     * @param syncs where the batch goes to be synced: durable once their {@code awaitAll()} returns
     * @param dictionaries the writer's dictionary hints, applied to the batch and taught by it
     * @return the flush: the batch entry and the bound; null if no entry is above {@code afterSeq}
     */
    static CommitDelta.ScopeFlush flush(
            TieredTable table,
            HotTable hot,
            ScopeId scope,
            Path path,
            String storage,
            Clock clock,
            long afterSeq,
            long flushedThroughSeq,
            FileSyncs syncs,
            DictionaryHints dictionaries)
            throws IOException {
        BatchFile file;
        try (ChangeCursor rows = hot.cursor(scope)) {
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
                            // sizes the key's bloom filter for the rows actually flushed
                            dictionaries.apply(
                                    BatchWriter.Options.defaults()
                                            .withExpectedRows(
                                                    Math.max(1, hot.stats(scope).entries()))),
                            syncs)) {
                do {
                    if (rows.seq() > afterSeq) {
                        writer.write(rows.row(), rows.seq(), rows.op());
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
}
