package dev.tiered.source.testing;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Commits changes straight through the table engine: each {@link #commit} writes one hot segment
 * and makes one append commit, with {@code _seq}s from the given clock (STREAM TTL counts from
 * them).
 */
public final class EngineWriter {
    private final TieredTable table;
    private final Clock clock;
    private final AtomicInteger segments = new AtomicInteger();

    public EngineWriter(TieredTable table, Clock clock) {
        this.table = table;
        this.clock = clock;
    }

    /** A change of one row. */
    public record Change(ScopeId scope, ChangeOp op, RowData row) {}

    public static Change upsert(ScopeId scope, RowData row) {
        return new Change(scope, ChangeOp.UPSERT, row);
    }

    public static Change delete(ScopeId scope, RowData row) {
        return new Change(scope, ChangeOp.DELETE, row);
    }

    /** Commits the changes, in order; returns the commit number. */
    public long commit(Change... changes) throws IOException {
        SnowflakeIds ids = new SnowflakeIds(2, clock, table.latestState().maxSeq());
        Path path =
                new Path(
                        table.layout().hotDir(),
                        "engine-" + System.nanoTime() + "-" + segments.getAndIncrement() + ".avro");
        try (HotSegmentWriter segment = HotSegmentWriter.create(path, table.definition())) {
            for (Change change : changes) {
                segment.write(change.scope(), ids.nextId(), change.op(), change.row());
            }
            return table.committer(clock)
                    .commit(
                            new PendingCommit("append", "engine-writer", -1)
                                    .addHotSegment(Segments.ref(segment.finish(), "engine", -1)),
                            table.definition().schemaVersion())
                    .commit();
        }
    }
}
