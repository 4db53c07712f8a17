package dev.tiered.state.testing;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.ColumnStats;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.SegmentEntry;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Tables and metadata entries for commit-protocol tests. */
public final class TableFixtures {
    private TableFixtures() {}

    /** The seed's chat.messages USER table definition. */
    public static TableDefinition messagesDefinition() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "USER", "FLUSH_POLICY", "rows:1000,interval:60"),
                id -> true);
    }

    public static TieredTable messages(TableFileIO io, java.io.File dir) throws IOException {
        return TieredTable.create(io, Path.fromLocalFile(dir), messagesDefinition());
    }

    /** A batch entry with key stats on column 1 (id). */
    public static SegmentEntry batch(long number, long minSeq, long maxSeq) {
        return new SegmentEntry(
                "batch-" + number + ".parquet",
                "batch-" + number + ".parquet",
                minSeq,
                maxSeq,
                maxSeq - minSeq + 1,
                1000 + number,
                1_700_000_000_000L + number,
                Map.of(1, new ColumnStats(minSeq * 10, maxSeq * 10, 0)),
                1,
                SegmentEntry.COMMITTED);
    }

    public static HotSegmentRef hot(String name, long minSeq, long maxSeq, ScopeId... scopes) {
        return new HotSegmentRef(
                name, "writer-0", 1, minSeq, maxSeq, maxSeq - minSeq + 1, 500, List.of(scopes));
    }
}
