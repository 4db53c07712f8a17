package dev.tiered.source.testing;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchFile;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.MergeCursor;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.SegmentEntry;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** A full compaction of one scope's batches into one, committed as {@code compact}. */
public final class Compaction {
    private Compaction() {}

    /** Merges every batch of the scope into one (tombstones dropped); false if under 2 batches. */
    public static boolean compactAll(TieredTable table, ScopeId scope) throws IOException {
        ScopeManifest manifest = table.manifest(table.latestState(), scope);
        if (manifest.segments().size() < 2) {
            return false;
        }
        List<ChangeCursor> inputs = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (SegmentEntry segment : manifest.segments()) {
            inputs.add(
                    BatchReader.open(
                            new Path(table.scopeDir(scope), segment.path()),
                            table.definition(),
                            scope,
                            BatchReadSpec.all()));
            removed.add(segment.id());
        }
        Path path =
                new Path(
                        table.scopeDir(scope),
                        "batch-" + (manifest.lastSequenceNumber() + 1) + ".parquet");
        BatchFile file;
        try (MergeCursor merged =
                        new MergeCursor(
                                inputs,
                                KeyComparators.forField(
                                        table.definition().rowType().getTypeAt(0), 0),
                                false);
                BatchWriter writer =
                        BatchWriter.create(
                                path, table.definition(), scope, BatchWriter.Options.defaults())) {
            while (merged.next()) {
                writer.write(merged.row(), merged.seq(), merged.op());
            }
            file = writer.finish();
        }
        SegmentEntry entry = Segments.entry(file, table.definition(), System.currentTimeMillis());
        table.committer(Clock.systemUTC())
                .commit(
                        new PendingCommit("compact", "test-compactor", -1)
                                .changeScope(scope, List.of(entry), removed, 0),
                        table.definition().schemaVersion());
        return true;
    }
}
