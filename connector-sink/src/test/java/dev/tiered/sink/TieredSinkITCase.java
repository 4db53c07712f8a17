package dev.tiered.sink;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.TableFixtures;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink on a MiniCluster: bounded jobs, upserts and deletes, and exactly-once over a failover.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TieredSinkITCase {
    private static final int USERS = 5;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @TempDir File warehouse;

    /** Key i: +I "c<i>", then +U "u<i>" when i%3==0, then -D when i%10==0 — in order, per key. */
    static final class Changes implements FlatMapFunction<Long, RowData> {
        @Override
        public void flatMap(Long i, Collector<RowData> out) {
            out.collect(row(RowKind.INSERT, i, "c" + i));
            if (i % 3 == 0) {
                out.collect(row(RowKind.UPDATE_BEFORE, i, "c" + i));
                out.collect(row(RowKind.UPDATE_AFTER, i, "u" + i));
            }
            if (i % 10 == 0) {
                out.collect(row(RowKind.DELETE, i, null));
            }
        }

        private static RowData row(RowKind kind, long id, String content) {
            GenericRowData row =
                    GenericRowData.of(
                            id,
                            StringData.fromString("user" + (id % USERS)),
                            id / 100,
                            content == null ? null : StringData.fromString(content),
                            TimestampData.fromEpochMillis(1_700_000_000_000L + id));
            row.setRowKind(kind);
            return row;
        }
    }

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

    private static Map<Long, String> expected(long n) {
        Map<Long, String> expected = new TreeMap<>();
        for (long i = 0; i < n; i++) {
            if (i % 10 != 0) {
                expected.put(i, (i % 3 == 0 ? "u" : "c") + i);
            }
        }
        return expected;
    }

    private Map<Long, String> readAll(TableState[] stateOut) throws IOException {
        TieredTable table =
                TieredTable.open(
                        new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages");
        TableState state = table.latestState();
        stateOut[0] = state;
        Map<Long, String> rows = new TreeMap<>();
        for (ScopeId scope : state.scopeIds()) {
            try (ChangeCursor cursor =
                    ScopeReader.open(
                            table,
                            state,
                            scope,
                            BatchReadSpec.all(),
                            System.currentTimeMillis(),
                            false)) {
                while (cursor.next()) {
                    assertThat(cursor.row().getString(1).toString()).isEqualTo(scope.userId());
                    String previous =
                            rows.put(cursor.row().getLong(0), cursor.row().getString(3).toString());
                    assertThat(previous)
                            .as("key %d in one scope only", cursor.row().getLong(0))
                            .isNull();
                }
            }
        }
        return rows;
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
                .build();
    }

    @Test
    void boundedJobWritesEveryChangeAndFlushesAtTheEnd() throws Exception {
        long n = 1_000;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(0, n - 1).flatMap(new Changes()).returns(RowData.class).sinkTo(sink());
        env.execute("bounded tiered sink");

        TableState[] state = new TableState[1];
        assertThat(readAll(state)).isEqualTo(expected(n));
        assertThat(state[0].scopeIds()).hasSize(USERS);
        assertThat(state[0].hotSegments())
                .as("everything flushed at end of input: %s", log())
                .isEmpty();
        for (int u = 0; u < USERS; u++) {
            assertThat(new File(warehouse, "chat/messages/user" + u + "/manifest.json")).exists();
        }
    }

    @Test
    void batchModeCommitsOnceAtTheEnd() throws Exception {
        long n = 300;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);
        env.fromSequence(0, n - 1).flatMap(new Changes()).returns(RowData.class).sinkTo(sink());
        env.execute("batch tiered sink");
        assertThat(readAll(new TableState[1])).isEqualTo(expected(n));
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
                .flatMap(new Changes())
                .returns(RowData.class)
                .sinkTo(sink());
        env.execute("tiered sink with a failover");

        assertThat(FailOnce.FAILED).isTrue();
        TableState[] state = new TableState[1];
        assertThat(readAll(state)).isEqualTo(expected(n));
        assertThat(state[0].hotSegments()).isEmpty();
    }
}
