package dev.tiered.source.internal.enumerator;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.reader.SplitCursor;
import dev.tiered.source.internal.reader.SplitCursors;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.source.internal.split.TieredSplit.KeySpan;
import dev.tiered.source.testing.EngineWriter;
import dev.tiered.source.testing.Messages;
import dev.tiered.source.testing.ReadConfigs;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.maint.Flush;
import dev.tiered.state.testing.ManualClock;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tiered.source.testing.EngineWriter.delete;
import static dev.tiered.source.testing.EngineWriter.upsert;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded read of a large scope in parts of its key span: the parts cover every key once (hot
 * rows outside the batches' statistics too), each lists only the batches that may hold its keys,
 * and together they read exactly what one split of the whole scope reads.
 */
class SnapshotPartsTest {
    private static final long T0 = 1_763_600_000_000L;
    private static final ScopeId SCOPE = ScopeId.SHARED;

    @TempDir File warehouse;
    private final ManualClock clock = new ManualClock(T0);
    private TieredTable table;

    /** Batch 1 holds ids 0..999, batch 2 ids 1000..1999; hot: an update, a delete, two outliers. */
    @BeforeEach
    void twoBatchesAndHotChanges() throws IOException {
        table = TieredTable.create(new FlinkFileIO(), Path.fromLocalFile(warehouse), definition());
        EngineWriter writer = new EngineWriter(table, clock);
        for (int batch = 0; batch < 2; batch++) {
            EngineWriter.Change[] rows = new EngineWriter.Change[1000];
            for (int i = 0; i < rows.length; i++) {
                long id = batch * 1000L + i;
                rows[i] = upsert(SCOPE, Messages.row(RowKind.INSERT, id, "c" + id));
            }
            writer.commit(rows);
            clock.advance(10);
            assertThat(Flush.flushScope(table, SCOPE, clock).flushed()).isTrue();
            clock.advance(10);
        }
        writer.commit(
                upsert(SCOPE, Messages.row(RowKind.INSERT, 5, "updated")),
                delete(SCOPE, Messages.row(RowKind.INSERT, 1500, null)),
                upsert(SCOPE, Messages.row(RowKind.INSERT, -10, "below")),
                upsert(SCOPE, Messages.row(RowKind.INSERT, 5000, "above")));
    }

    @Test
    void aBoundedReadOfALargeScopeIsPlannedInPartsThatReadTheScopeOnce() throws Exception {
        ReadConfig config = config(Boundedness.BOUNDED);
        SplitPlanner planner = new SplitPlanner(table, config, 1);
        List<TieredSplit> parts = planner.snapshot(planner.startCommit(), clock.millis());
        assertThat(parts).hasSize(SplitPlanner.MAX_PARTS);
        assertThat(parts.get(0).keySpan().lower()).as("all keys below").isNull();
        assertThat(parts.get(parts.size() - 1).keySpan().upper()).as("all keys above").isNull();
        for (int i = 1; i < parts.size(); i++) {
            KeySpan previous = parts.get(i - 1).keySpan();
            assertThat(parts.get(i).keySpan().lower()).isEqualTo(previous.upper() + 1);
            assertThat(parts.get(i).scope()).isEqualTo(SCOPE);
            assertThat(parts.get(i).hotSegments()).isEqualTo(parts.get(0).hotSegments());
        }
        assertThat(parts.get(0).batches()).as("ids up to 30: the first batch").hasSize(1);
        assertThat(parts.get(parts.size() - 1).batches()).hasSize(1);
        assertThat(parts.get(0).batches()).isNotEqualTo(parts.get(parts.size() - 1).batches());
        assertThat(parts).doesNotHaveDuplicates();
        assertThat(parts.stream().map(TieredSplit::splitId).distinct()).hasSize(parts.size());

        List<String> whole =
                read(
                        config,
                        new SplitPlanner(table, config)
                                .snapshot(planner.startCommit(), clock.millis()));
        assertThat(whole).hasSize(2001).contains("-10 below", "5 updated", "5000 above");
        assertThat(whole).doesNotContain("1500 c1500");
        assertThat(read(config, parts)).containsExactlyElementsOf(whole);
    }

    @Test
    void anUnboundedReadKeepsAScopeInOneSplit() throws Exception {
        ReadConfig config = config(Boundedness.CONTINUOUS_UNBOUNDED);
        SplitPlanner planner = new SplitPlanner(table, config, 1);
        List<TieredSplit> splits = planner.snapshot(planner.startCommit(), clock.millis());
        assertThat(splits).hasSize(1);
        assertThat(splits.get(0).keySpan()).isNull();
        assertThat(splits.get(0).batches()).hasSize(2);
    }

    /** The test's chat messages as a SHARED table. */
    private static TableDefinition definition() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "SHARED", "FLUSH_POLICY", "rows:100000"),
                id -> true);
    }

    private static ReadConfig config(Boundedness boundedness) {
        return ReadConfigs.of(definition(), boundedness, ScanMode.FULL, "id", "content");
    }

    /** The rows the splits read, in split order, as "id content". */
    private List<String> read(ReadConfig config, List<TieredSplit> splits) throws IOException {
        SplitCursors cursors = new SplitCursors(table, config);
        List<String> out = new ArrayList<>();
        for (TieredSplit split : splits) {
            try (SplitCursor cursor = cursors.open(split, clock.millis())) {
                while (cursor.next()) {
                    RowData row = cursor.row();
                    out.add(row.getLong(0) + " " + row.getString(1));
                }
            }
        }
        return out;
    }
}
