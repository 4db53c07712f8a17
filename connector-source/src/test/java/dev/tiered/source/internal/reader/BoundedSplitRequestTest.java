package dev.tiered.source.internal.reader;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.TieredSource;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.enumerator.SplitPlanner;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.source.testing.EngineWriter;
import dev.tiered.source.testing.Messages;
import dev.tiered.source.testing.ReadConfigs;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.tiered.source.testing.EngineWriter.upsert;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded reader asks for splits once at a time: at start, and again when it begins the last of
 * its assigned splits, so the next ones arrive while that one is read; never after the end.
 */
class BoundedSplitRequestTest {
    private static final long T0 = 1_763_600_000_000L;

    @TempDir File warehouse;

    @Test
    void aBoundedReaderAsksWhenItBeginsItsLastSplitAndNotPerFinishedSplit() throws Exception {
        ManualClock clock = new ManualClock(T0);
        TieredTable table = Messages.createTable(warehouse, "rows:1000");
        EngineWriter writer = new EngineWriter(table, clock);
        writer.commit(
                upsert(ScopeId.user("user1"), Messages.row(RowKind.INSERT, 1, "a")),
                upsert(ScopeId.user("user2"), Messages.row(RowKind.INSERT, 2, "b")),
                upsert(ScopeId.user("user3"), Messages.row(RowKind.INSERT, 3, "c")));
        ReadConfig config = ReadConfigs.of(table.definition(), Boundedness.BOUNDED, ScanMode.FULL);
        SplitPlanner planner = new SplitPlanner(table, config);
        List<TieredSplit> splits = planner.snapshot(planner.startCommit(), clock.millis());
        assertThat(splits).hasSize(3);

        TestingReaderContext context = new TestingReaderContext();
        TestingReaderOutput<RowData> output = new TestingReaderOutput<>();
        try (SourceReader<RowData, TieredSplit> reader =
                TieredSource.forRowData(warehouse.toURI().toString(), Messages.TABLE)
                        .build()
                        .createReader(context)) {
            reader.start();
            assertThat(context.getNumSplitRequests()).as("asks at start").isEqualTo(1);
            reader.addSplits(splits);
            while (output.getEmittedRecords().size() < 3
                    || ((TieredSourceReader<?>) reader).getNumberOfCurrentlyAssignedSplits() > 0) {
                if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE) {
                    reader.isAvailable().get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(context.getNumSplitRequests())
                    .as("one more request, when the last of the three splits began")
                    .isEqualTo(2);

            reader.notifyNoMoreSplits();
            InputStatus status;
            do {
                status = reader.pollNext(output);
                if (status == InputStatus.NOTHING_AVAILABLE) {
                    reader.isAvailable().get(30, TimeUnit.SECONDS);
                }
            } while (status != InputStatus.END_OF_INPUT);
            assertThat(context.getNumSplitRequests()).as("none after the end").isEqualTo(2);
        }
        assertThat(output.getEmittedRecords())
                .extracting(row -> row.getLong(0))
                .containsExactlyInAnyOrder(1L, 2L, 3L);
    }
}
