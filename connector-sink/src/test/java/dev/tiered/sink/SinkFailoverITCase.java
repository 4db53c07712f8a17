package dev.tiered.sink;

import dev.tiered.sink.testing.FaultyFileSystem;
import dev.tiered.sink.testing.FaultyFileSystem.Kind;
import dev.tiered.sink.testing.FaultyFileSystem.Stage;
import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once through failures at chosen points of the write path (DESIGN §10, invariants 1 and
 * 3). The table lives on {@code faulty://}, the local file system with one armed fault; a job with
 * checkpoints every 100 ms and flushes every 100 rows per user hits the fault, fails over, and must
 * still end with every change reflected exactly once and every checkpoint committed once.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SinkFailoverITCase {
    private static final long KEYS = 2_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir File warehouse;

    /** Where the job fails, and how. */
    enum Point {
        /** A writer's Parquet batch breaks off after its first bytes (a full disk, a crash). */
        MID_FLUSH("/batch-\\d+\\.parquet$", Stage.MID_WRITE, Kind.IO, 1),
        /** A writer's hot segment breaks off mid-file. */
        MID_HOT_SEGMENT("/_hot/[^/]+\\.avro$", Stage.MID_WRITE, Kind.IO, 10),
        /**
         * The checkpoint completed, its files are written, and the committer dies as it starts the
         * log record: the restored committer must commit the checkpoint.
         */
        BETWEEN_DATA_AND_COMMIT("/_log/\\.\\d{20}\\.json\\.", Stage.CREATE, Kind.KILL, 3),
        /**
         * The commit is durable in the log, and the committer dies before it could report it (at
         * the log hint it writes next): the restored committer must find it and not commit twice.
         */
        AFTER_COMMIT_BEFORE_NOTIFY("/_log/\\._latest\\.", Stage.CREATE, Kind.KILL, 3),
        /** A flush is committed and the committer dies before writing the scope's manifest. */
        BETWEEN_LOG_AND_MANIFEST("/\\.manifest-v\\d+\\.json\\.", Stage.CREATE, Kind.KILL, 2);

        final String regex;
        final Stage stage;
        final Kind kind;
        final int nth;

        Point(String regex, Stage stage, Kind kind, int nth) {
            this.regex = regex;
            this.stage = stage;
            this.kind = kind;
            this.nth = nth;
        }
    }

    /** Slows the input so that it spans many checkpoints. */
    static final class Throttle implements MapFunction<Long, Long> {
        @Override
        public Long map(Long value) throws InterruptedException {
            Thread.sleep(1);
            return value;
        }
    }

    @AfterEach
    void disarm() {
        FaultyFileSystem.clear();
    }

    @ParameterizedTest
    @EnumSource(Point.class)
    void everyChangeIsReflectedExactlyOnce(Point point) throws Exception {
        String base = FaultyFileSystem.uri(warehouse);
        FaultyFileSystem.Fault fault =
                FaultyFileSystem.inject(point.regex, point.stage, point.kind, point.nth, f -> true);

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(0, KEYS - 1)
                .map(new Throttle())
                .returns(Types.LONG)
                .flatMap(ChatChanges.changes())
                .returns(RowData.class)
                .sinkTo(
                        TieredSink.forRowData(base, "chat.messages")
                                .withDefinition(ChatChanges.definition("rows:100"))
                                .build());
        env.execute("tiered sink failing " + point);

        assertThat(fault.firedAt()).as("the fault fired").isNotNull();
        TieredTable table = ChatChanges.open(base);
        TableState state = table.latestState();
        assertThat(ChatChanges.readAll(table, state)).isEqualTo(ChatChanges.expected(KEYS));
        assertThat(state.hotSegments()).as("all flushed at the end").isEmpty();
        assertEveryCheckpointCommittedOnce(table, state.commit());
    }

    static void assertEveryCheckpointCommittedOnce(TieredTable table, long latest)
            throws IOException {
        List<String> committed = new ArrayList<>();
        for (long commit = 1; commit <= latest; commit++) {
            CommitRecord record = table.log().read(commit);
            committed.add(record.writerId() + "@" + record.checkpointId());
        }
        assertThat(committed).doesNotHaveDuplicates();
    }
}
