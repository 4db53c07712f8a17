package dev.tiered.state.cold;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.Column;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.meta.ColumnStats;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.SegmentEntry;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Turns finished files into the entries manifests and commit records list. */
public final class Segments {
    private Segments() {}

    /** The manifest entry of a finished batch: statistics by column id, in internal form. */
    public static SegmentEntry entry(BatchFile batch, TableDefinition table, long createdAt) {
        Map<Integer, ColumnStats> stats = new HashMap<>();
        for (BatchFile.ColumnStats columnStats : batch.columnStats()) {
            Column column =
                    table.column(columnStats.column())
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "Cannot list batch "
                                                            + batch.fileName()
                                                            + ": no column "
                                                            + columnStats.column()));
            stats.put(
                    column.id(),
                    new ColumnStats(
                            columnStats.minValue(column.type()),
                            columnStats.maxValue(column.type()),
                            columnStats.nullCount()));
        }
        return new SegmentEntry(
                batch.fileName(),
                batch.fileName(),
                batch.minSeq(),
                batch.maxSeq(),
                batch.rowCount(),
                batch.sizeBytes(),
                createdAt,
                stats,
                table.schemaVersion(),
                SegmentEntry.COMMITTED);
    }

    /** The commit-record reference of a finished hot segment. */
    public static HotSegmentRef ref(HotSegmentFile segment, String writerId, long checkpointId) {
        return new HotSegmentRef(
                segment.fileName(),
                writerId,
                checkpointId,
                segment.minSeq(),
                segment.maxSeq(),
                segment.rowCount(),
                segment.sizeBytes(),
                new ArrayList<>(new java.util.TreeSet<>(segment.scopes())));
    }

    /**
     * Copies the changes of hot segment {@code source} whose scope {@code keep} accepts into the
     * new hot segment {@code target} (erasing a user from a segment); null, and no file, if none
     * are kept.
     */
    public static HotSegmentFile copyHotSegment(
            TableDefinition table, Path source, Path target, Predicate<ScopeId> keep)
            throws IOException {
        try (ChangeCursor rows =
                        HotSegmentReader.open(source.getFileSystem(), source, table, keep);
                HotSegmentWriter writer =
                        HotSegmentWriter.create(target, table, HotSegmentCompression.DEFAULT)) {
            while (rows.next()) {
                writer.write(rows.scope(), rows.seq(), rows.op(), rows.row());
            }
            return writer.rowCount() == 0 ? null : writer.finish();
        }
    }
}
