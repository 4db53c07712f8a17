package dev.tiered.sink;

import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.TableFixtures;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink on a MiniCluster: bounded jobs, upserts and deletes, and exactly-once over a failover.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TieredSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @TempDir File warehouse;
    @TempDir File hotDirs;

    /** Fails once, after a checkpoint completed and records flowed since. */
    static final class FailOnce implements MapFunction<Long, Long>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private volatile boolean checkpointed;
        private int seen;

        @Override
        public Long map(Long value) throws Exception {
            Thread.sleep(1); // spread the input over several checkpoints
            if (checkpointed && ++seen > 50 && FAILED.compareAndSet(false, true)) {
                throw new RuntimeException("Injected failure after a completed checkpoint");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    private Map<Long, String> readAll(TableState[] stateOut) throws IOException {
        TieredTable table = ChatChanges.open(warehouse.toURI().toString());
        stateOut[0] = table.latestState();
        return ChatChanges.readAll(table, stateOut[0]);
    }

    private String log() throws IOException {
        StringBuilder out = new StringBuilder();
        for (File f : new File(warehouse, "chat/messages/_log").listFiles()) {
            out.append(f.getName())
                    .append(": ")
                    .append(java.nio.file.Files.readString(f.toPath()))
                    .append("\n");
        }
        return out.toString();
    }

    private TieredSink<RowData> sink() {
        return TieredSink.forRowData(warehouse.toURI().toString(), "chat.messages")
                .withDefinition(TableFixtures.messagesDefinition())
                .withHotLocalDirs(List.of(new File(hotDirs, "hot").getPath()))
                .build();
    }

    @Test
    void boundedJobWritesEveryChangeAndFlushesAtTheEnd() throws Exception {
        long n = 1_000;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(0, n - 1)
                .flatMap(ChatChanges.changes())
                .returns(RowData.class)
                .sinkTo(sink());
        env.execute("bounded tiered sink");

        TableState[] state = new TableState[1];
        assertThat(readAll(state)).isEqualTo(ChatChanges.expected(n));
        assertThat(state[0].scopeIds()).hasSize(ChatChanges.USERS);
        assertThat(state[0].hotSegments())
                .as("everything flushed at end of input: %s", log())
                .isEmpty();
        // the writers created hot.local-dirs for their stores and deleted the stores on close
        assertThat(new File(hotDirs, "hot")).isDirectory().isEmptyDirectory();
        for (int u = 0; u < ChatChanges.USERS; u++) {
            assertThat(new File(warehouse, "chat/messages/user" + u + "/manifest.json")).exists();
        }
    }

    @Test
    void batchModeCommitsOnceAtTheEnd() throws Exception {
        long n = 300;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);
        env.fromSequence(0, n - 1)
                .flatMap(ChatChanges.changes())
                .returns(RowData.class)
                .sinkTo(sink());
        env.execute("batch tiered sink");
        assertThat(readAll(new TableState[1])).isEqualTo(ChatChanges.expected(n));
    }

    @Test
    void exactlyOnceAcrossAFailover() throws Exception {
        long n = 3_000;
        FailOnce.FAILED.set(false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(0, n - 1)
                .map(new FailOnce())
                .returns(Types.LONG)
                .flatMap(ChatChanges.changes())
                .returns(RowData.class)
                .sinkTo(sink());
        env.execute("tiered sink with a failover");

        assertThat(FailOnce.FAILED).isTrue();
        TableState[] state = new TableState[1];
        assertThat(readAll(state)).isEqualTo(ChatChanges.expected(n));
        assertThat(state[0].hotSegments()).isEmpty();
    }
}
