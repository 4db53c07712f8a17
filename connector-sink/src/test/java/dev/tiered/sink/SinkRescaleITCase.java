package dev.tiered.sink;

import dev.tiered.sink.testing.GatedSequence;
import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
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
 * A streaming job of upserts and deletes stopped with a savepoint and resumed with more, then fewer
 * writers (DESIGN §5 "Recovery and rescaling"): scopes move between writers with their hot rows,
 * and the table ends with every change exactly once.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SinkRescaleITCase {
    private static final int STEP = 1_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @TempDir File warehouse;
    @TempDir File savepoints;

    @Test
    void resumingWithAnotherParallelismKeepsEveryChangeExactlyOnce() throws Exception {
        GatedSequence.reset();
        String savepoint = null;
        long keys = 0;
        for (int parallelism : new int[] {2, 3, 1}) {
            keys += STEP;
            savepoint = runUntil(keys, parallelism, savepoint);
        }
        TieredTable table = ChatChanges.open(warehouse.toURI().toString());
        TableState state = table.latestState();
        assertThat(ChatChanges.readAll(table, state)).isEqualTo(ChatChanges.expected(keys));
        SinkFailoverITCase.assertEveryCheckpointCommittedOnce(table, state.commit());
    }

    /**
     * Runs the job from {@code savepoint} (if any) with {@code parallelism} writers until the table
     * holds keys {@code [0, keys)}, then stops it with a savepoint.
     */
    private String runUntil(long keys, int parallelism, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(100);
        env.fromSource(GatedSequence.source(), WatermarkStrategy.noWatermarks(), "keys")
                .setParallelism(1)
                .uid("keys")
                .flatMap(ChatChanges.changes())
                .returns(RowData.class)
                .setParallelism(parallelism)
                .uid("changes")
                .sinkTo(
                        TieredSink.forRowData(warehouse.toURI().toString(), "chat.messages")
                                .withDefinition(ChatChanges.definition("rows:100"))
                                .build())
                .setParallelism(parallelism)
                .uid("tiered-sink");
        TieredTable table =
                ChatChanges.create(
                        warehouse.toURI().toString(), ChatChanges.definition("rows:100"));
        JobClient job = env.executeAsync("rescale to " + parallelism);
        GatedSequence.openTo(keys);
        waitUntilCondition(
                () ->
                        ChatChanges.readAll(table, table.latestState())
                                .equals(ChatChanges.expected(keys)),
                100L);
        return job.stopWithSavepoint(
                        false, savepoints.toURI().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
    }
}
