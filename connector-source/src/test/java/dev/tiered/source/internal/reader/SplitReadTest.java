package dev.tiered.source.internal.reader;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.enumerator.SplitPlanner;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.source.testing.EngineWriter;
import dev.tiered.source.testing.Messages;
import dev.tiered.source.testing.ReadConfigs;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.testing.ManualClock;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.types.RowKind;

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
 * Split planning and reading without a cluster: the changelog kinds of one commit, the merged
 * snapshot, resuming a split at its position, and STREAM TTL in snapshots and changes.
 */
class SplitReadTest {
    private static final long T0 = 1_763_600_000_000L;
    private static final ScopeId ALICE = ScopeId.user("user1");

    @TempDir File warehouse;
    private final ManualClock clock = new ManualClock(T0);

    private static ReadConfig config(TableDefinition definition, String... columns) {
        return ReadConfigs.of(definition, Boundedness.CONTINUOUS_UNBOUNDED, ScanMode.FULL, columns);
    }

    private static List<String> read(SplitCursors cursors, TieredSplit split, long now)
            throws IOException {
        List<String> out = new ArrayList<>();
        try (SplitCursor cursor = cursors.open(split, now)) {
            while (cursor.next()) {
                RowData row = cursor.row();
                out.add(
                        row.getRowKind().shortString()
                                + " "
                                + row.getLong(0)
                                + (row.getRowKind() == RowKind.DELETE
                                        ? ""
                                        : " " + row.getString(1)));
            }
        }
        return out;
    }

    private static RowData message(long id, String content) {
        return Messages.row(RowKind.INSERT, id, content);
    }

    @Test
    void aCommitsChangesAreEmittedWithTheirKinds() throws Exception {
        TieredTable table = Messages.createTable(warehouse, "rows:1000");
        EngineWriter writer = new EngineWriter(table, clock);
        writer.commit(upsert(ALICE, message(1, "a")), upsert(ALICE, message(2, "b")));
        clock.advance(10);
        long second =
                writer.commit(
                        upsert(ALICE, message(1, "a2")),
                        delete(ALICE, message(3, null)),
                        upsert(ALICE, message(4, "d")),
                        delete(ALICE, message(4, null)),
                        delete(ALICE, message(2, null)));
        ReadConfig config = config(table.definition(), "id", "content");
        SplitPlanner planner = new SplitPlanner(table, config);
        SplitCursors cursors = new SplitCursors(table, config);

        SplitPlanner.Discovery discovery = planner.discover(1);
        assertThat(discovery.through()).isEqualTo(second);
        assertThat(discovery.splits()).hasSize(1);
        TieredSplit changes = discovery.splits().get(0);
        assertThat(read(cursors, changes, clock.millis()))
                .containsExactly("+U 1 a2", "+I 4 d", "-D 4", "-D 2");
        assertThat(read(cursors, changes.withPosition(2), clock.millis()))
                .as("a restored split skips what it emitted")
                .containsExactly("-D 4", "-D 2");

        List<TieredSplit> snapshot = planner.snapshot(second, clock.millis());
        assertThat(snapshot).hasSize(1);
        assertThat(read(cursors, snapshot.get(0), clock.millis())).containsExactly("+I 1 a2");
        assertThat(read(cursors, planner.snapshot(1, clock.millis()).get(0), clock.millis()))
                .as("time travel to the first commit")
                .containsExactly("+I 1 a", "+I 2 b");
    }

    @Test
    void streamEventsPastTheirTtlAreNeverEmitted() throws Exception {
        TableDefinition typing =
                TableDefinition.create(
                        "chat",
                        "typing_events",
                        TestTables.columns("seq_no BIGINT NOT NULL", "who STRING"),
                        List.of(),
                        Map.of("TYPE", "STREAM", "TTL_SECONDS", "10"),
                        id -> true);
        TieredTable table =
                TieredTable.create(new FlinkFileIO(), Path.fromLocalFile(warehouse), typing);
        EngineWriter writer = new EngineWriter(table, clock);
        writer.commit(
                upsert(ScopeId.SHARED, GenericRowData.of(1L, StringData.fromString("ann"))),
                upsert(ScopeId.SHARED, GenericRowData.of(2L, StringData.fromString("ann"))));
        clock.advance(6_000);
        writer.commit(upsert(ScopeId.SHARED, GenericRowData.of(3L, StringData.fromString("bo"))));
        ReadConfig config = config(typing);
        SplitPlanner planner = new SplitPlanner(table, config);
        SplitCursors cursors = new SplitCursors(table, config);

        assertThat(read(cursors, planner.snapshot(2, T0 + 5_000).get(0), T0 + 5_000))
                .as("without a key, every live event is a row")
                .containsExactly("+I 1 ann", "+I 2 ann", "+I 3 bo");
        long now = T0 + 12_000;
        assertThat(read(cursors, planner.snapshot(2, now).get(0), now)).containsExactly("+I 3 bo");
        SplitPlanner.Discovery changes = planner.discover(0);
        assertThat(changes.splits()).hasSize(2);
        assertThat(read(cursors, changes.splits().get(0), now)).isEmpty();
        assertThat(read(cursors, changes.splits().get(1), now)).containsExactly("+I 3 bo");
        assertThat(planner.snapshot(2, T0 + 17_000)).as("every segment expired").isEmpty();
    }
}
