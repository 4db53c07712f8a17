package dev.tiered.sink;

import dev.tiered.sink.testing.Checkpoints;
import dev.tiered.sink.testing.GatedSequence;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.Jobs;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.apache.flink.runtime.testutils.CommonTestUtils.waitUntilCondition;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * KalamDB's {@code interval:S} policy (kalamdb-semantics §9) on a controllable clock: a scope is
 * flushed at the first checkpoint after its oldest unflushed row became older than the interval,
 * and each scope goes by its own oldest row.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FlushIntervalITCase {
    private static final ManualClock CLOCK = new ManualClock(1_763_600_000_000L);
    private static final ScopeId ALICE = ScopeId.user("alice");
    private static final ScopeId BOB = ScopeId.user("bob");

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir File warehouse;

    /** Numbers 0-2 are alice's messages, 3-5 bob's. */
    static final class Messages implements MapFunction<Long, RowData> {
        @Override
        public RowData map(Long i) {
            return GenericRowData.of(
                    i,
                    StringData.fromString(i < 3 ? "alice" : "bob"),
                    1L,
                    StringData.fromString("m" + i),
                    null);
        }
    }

    @Test
    void eachScopeFlushesOnceItsOldestRowIsOlderThanTheInterval(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String base = warehouse.toURI().toString();
        TieredTable table = ChatChanges.create(base, ChatChanges.definition("interval:60"));
        GatedSequence.reset();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(50);
        env.fromSource(GatedSequence.source(), WatermarkStrategy.noWatermarks(), "messages")
                .map(new Messages())
                .sinkTo(
                        TieredSink.forRowData(base, "chat.messages")
                                .withDefinition(table.definition())
                                .withClock(() -> CLOCK)
                                .build());
        JobClient job = env.executeAsync("flush interval");
        try {

            GatedSequence.openTo(3); // alice writes at T0
            waitForRows(table, 3);
            CLOCK.advance(30_000);
            GatedSequence.openTo(6); // bob writes at T0 + 30 s
            waitForRows(table, 6);
            Checkpoints.waitForMore(cluster, job.getJobID(), 3);
            assertThat(flushes(table, ALICE)).as("alice's rows are 30 s old").isZero();
            assertThat(flushes(table, BOB)).isZero();

            CLOCK.advance(31_000); // alice's oldest row is 61 s old, bob's 31 s
            waitUntilCondition(() -> flushes(table, ALICE) > 0, 50L);
            Checkpoints.waitForMore(cluster, job.getJobID(), 3);
            assertThat(flushes(table, BOB)).as("bob's rows are 31 s old").isZero();
            assertThat(table.manifest(table.latestState(), ALICE).segments())
                    .singleElement()
                    .satisfies(batch -> assertThat(batch.rowCount()).isEqualTo(3));

            CLOCK.advance(30_000); // bob's oldest row is 61 s old
            waitUntilCondition(() -> flushes(table, BOB) > 0, 50L);
            TableState state = table.latestState();
            assertThat(table.manifest(state, BOB).segments()).hasSize(1);
            assertThat(table.manifest(state, ALICE).segments()).as("nothing new").hasSize(1);
            assertThat(ChatChanges.readAll(table, state)).hasSize(6);
        } finally {
            Jobs.cancelAndWait(job);
        }
    }

    private static long flushes(TieredTable table, ScopeId scope) throws Exception {
        return table.latestState().scope(scope).version();
    }

    private static void waitForRows(TieredTable table, int rows) throws Exception {
        waitUntilCondition(
                () -> ChatChanges.readAll(table, table.latestState()).size() == rows, 50L);
    }
}
