package dev.tiered.sink;

import dev.tiered.sink.testing.FaultyFileSystem;
import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The randomised model of the table format (TableModelTest) driven through real jobs: a seeded
 * random history of inserts, updates and deletes per key, a random flush policy and parallelism,
 * and injected failures (a task that throws after a completed checkpoint, plus a fault at a random
 * write of the table's files). The table must end equal to the model: the last change of each key.
 * A seed that fails is in the test name; rerun it with {@code -Dtiered.test.seed=<seed>}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SinkModelITCase {
    private static final int KEYS = 1_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(3)
                            .build());

    @TempDir File warehouse;

    static List<Long> seeds() {
        String fixed = System.getProperty("tiered.test.seed");
        if (fixed != null) {
            return List.of(Long.parseLong(fixed));
        }
        Random random = new Random();
        return List.of(random.nextLong(), random.nextLong(), random.nextLong());
    }

    /** The changes of key k: 1-5 random upserts and deletes, in order, from the key's user. */
    static final class History implements FlatMapFunction<Long, RowData> {
        private final long seed;

        History(long seed) {
            this.seed = seed;
        }

        @Override
        public void flatMap(Long key, Collector<RowData> out) {
            Random random = random(seed, key);
            int changes = 1 + random.nextInt(5);
            boolean exists = false;
            for (int c = 0; c < changes; c++) {
                if (random.nextInt(4) == 0) {
                    out.collect(row(RowKind.DELETE, key, null));
                    exists = false;
                } else {
                    String content = "v" + random.nextInt(1_000);
                    if (exists) {
                        out.collect(row(RowKind.UPDATE_BEFORE, key, null));
                        out.collect(row(RowKind.UPDATE_AFTER, key, content));
                    } else {
                        out.collect(row(RowKind.INSERT, key, content));
                    }
                    exists = true;
                }
            }
        }

        /** The model: the content each key ends with, deleted keys absent. */
        static Map<Long, String> model(long seed) {
            Map<Long, String> model = new TreeMap<>();
            List<RowData> changes = new ArrayList<>();
            History history = new History(seed);
            for (long key = 0; key < KEYS; key++) {
                changes.clear();
                history.flatMap(
                        key,
                        new Collector<>() {
                            @Override
                            public void collect(RowData row) {
                                changes.add(row);
                            }

                            @Override
                            public void close() {}
                        });
                for (RowData change : changes) {
                    switch (change.getRowKind()) {
                        case INSERT, UPDATE_AFTER -> model.put(key, change.getString(3).toString());
                        case DELETE -> model.remove(key);
                        default -> {}
                    }
                }
            }
            return model;
        }

        private static Random random(long seed, long key) {
            return new Random(seed ^ (key * 0x9E3779B97F4A7C15L));
        }

        private static RowData row(RowKind kind, long key, String content) {
            GenericRowData row =
                    GenericRowData.of(
                            key,
                            StringData.fromString("user" + key % 7),
                            key % 13,
                            content == null ? null : StringData.fromString(content),
                            null);
            row.setRowKind(kind);
            return row;
        }
    }

    /**
     * Throws once, in the first subtask that has seen {@code failAt} keys and a completed
     * checkpoint: mid-stream if the checkpoint came first, else when the next checkpoint (at the
     * latest the final one) completes. So every run fails over at least once.
     */
    static final class FailAfterCheckpoint implements MapFunction<Long, Long>, CheckpointListener {
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final int failAt;
        private volatile boolean checkpointed;
        private volatile int seen;

        FailAfterCheckpoint(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public Long map(Long key) throws Exception {
            Thread.sleep(2); // spread the keys over many checkpoints
            seen++;
            if (checkpointed && seen >= failAt) {
                failOnce("at key " + key);
            }
            return key;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
            if (seen >= failAt) {
                failOnce("after checkpoint " + checkpointId);
            }
        }

        private static void failOnce(String where) {
            if (FAILURES.getAndIncrement() == 0) {
                throw new RuntimeException("Injected task failure " + where);
            }
        }
    }

    @AfterEach
    void disarm() {
        FaultyFileSystem.clear();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aJobWithFailuresLeavesTheModelsTable(long seed) throws Exception {
        Random random = new Random(seed);
        int parallelism = 1 + random.nextInt(3);
        String policy = "rows:" + (10 + random.nextInt(150));
        SinkFailoverITCase.Point point =
                SinkFailoverITCase.Point.values()[
                        random.nextInt(SinkFailoverITCase.Point.values().length)];
        int nth = 1 + random.nextInt(4);
        FaultyFileSystem.inject(point.regex, point.stage, point.kind, nth, f -> true);
        FailAfterCheckpoint.FAILURES.set(0);
        String base = FaultyFileSystem.uri(warehouse);

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 4);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(50 + random.nextInt(100));
        env.fromSequence(0, KEYS - 1)
                .map(new FailAfterCheckpoint(1 + random.nextInt(KEYS / parallelism / 4)))
                .returns(Types.LONG)
                .flatMap(new History(seed))
                .returns(RowData.class)
                .sinkTo(
                        TieredSink.forRowData(base, "chat.messages")
                                .withDefinition(ChatChanges.definition(policy))
                                .build());
        env.execute("model " + seed);

        String context =
                String.format(
                        "seed %d: parallelism %d, %s, fault %s #%d",
                        seed, parallelism, policy, point, nth);
        assertThat(FailAfterCheckpoint.FAILURES.get()).as(context).isPositive();
        TieredTable table = ChatChanges.open(base);
        TableState state = table.latestState();
        assertThat(ChatChanges.readAll(table, state)).as(context).isEqualTo(History.model(seed));
        SinkFailoverITCase.assertEveryCheckpointCommittedOnce(table, state.commit());
    }
}
