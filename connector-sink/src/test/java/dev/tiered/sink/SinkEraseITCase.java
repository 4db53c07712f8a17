package dev.tiered.sink;

import dev.tiered.sink.testing.Checkpoints;
import dev.tiered.sink.testing.GatedSequence;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.maint.UserErasure;
import dev.tiered.state.testing.Jobs;

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
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.apache.flink.runtime.testutils.CommonTestUtils.waitUntilCondition;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GDPR erase beside a running writer (issue 8, invariant 7): the user's rows the writer still holds
 * hot are dropped at its next checkpoint, so no later flush or hot segment brings them back; rows
 * the user writes after that are new rows.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SinkEraseITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir File warehouse;

    /** 0-5: alice and bob in turn ("pre-"); 6-9: bob; 10-12: alice again ("post-"). */
    static final class Messages implements MapFunction<Long, RowData> {
        @Override
        public RowData map(Long i) {
            String user = i < 6 ? (i % 2 == 0 ? "alice" : "bob") : i < 10 ? "bob" : "alice";
            return GenericRowData.of(
                    i,
                    StringData.fromString(user),
                    1L,
                    StringData.fromString((i < 6 ? "pre-" : "post-") + i),
                    null);
        }
    }

    @Test
    void aRunningWriterDropsTheErasedUsersHotRows(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        String base = warehouse.toURI().toString();
        TieredTable table = ChatChanges.create(base, ChatChanges.definition("rows:4"));
        GatedSequence.reset();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(50);
        env.fromSource(GatedSequence.source(), WatermarkStrategy.noWatermarks(), "messages")
                .map(new Messages())
                .sinkTo(
                        TieredSink.forRowData(base, "chat.messages")
                                .withDefinition(table.definition())
                                .build());
        JobClient job = env.executeAsync("erase beside a writer");
        try {
            GatedSequence.openTo(6);
            waitUntilCondition(() -> rows(table).size() == 6, 50L);
            assertThat(rows(table)).containsEntry(0L, "pre-0");

            UserErasure.erase(List.of(table), "alice", Clock.systemUTC());
            assertThat(rows(table)).containsOnlyKeys(1L, 3L, 5L);
            Checkpoints.waitForMore(cluster, job.getJobID(), 3);

            // bob reaches rows:4 and flushes; alice's new rows would take her over rows:4 too if
            // the writer still held her three earlier ones.
            GatedSequence.openTo(13);
            waitUntilCondition(() -> rows(table).size() == 10, 50L);
            Checkpoints.waitForMore(cluster, job.getJobID(), 3);
            assertThat(rows(table))
                    .containsOnlyKeys(1L, 3L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L)
                    .doesNotContainKeys(0L, 2L, 4L);
            assertThat(table.latestState().scope(ScopeId.user("bob")).version())
                    .as("bob flushed")
                    .isPositive();
        } finally {
            Jobs.cancelAndWait(job);
        }
    }

    private static Map<Long, String> rows(TieredTable table) throws Exception {
        return new TreeMap<>(ChatChanges.readAll(table, table.latestState()));
    }
}
