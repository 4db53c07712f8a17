package dev.tiered.e2e.jobs;

import dev.tiered.sink.TieredSink;
import dev.tiered.state.TableDefinition;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.io.File;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The DataStream job the end-to-end tests submit to a standalone cluster as a job jar (built as
 * {@code tiered-e2e-tests-<version>-job.jar}, holding only this class: Flink and the connector come
 * from the cluster's {@code flink/lib}). It writes a chat changelog into the USER table {@code
 * chat.messages}: key {@code i} gets +I "c<i>", then -U/+U "u<i>" when {@code i % 3 == 0}, then -D
 * when {@code i % 10 == 0}, from user {@code user<i % 5>}; {@link #expected(long)} is the table it
 * must leave.
 *
 * <p>Arguments ({@code --name value}): {@code --warehouse} (base URI, required), {@code --keys}
 * (default 2000), {@code --parallelism} (2), {@code --checkpoint-ms} (200), {@code --flush-policy}
 * ({@code rows:100}), and for failover runs {@code --per-checkpoint N} with {@code --release-file
 * path}: until that file exists, each source subtask emits at most N keys per completed checkpoint,
 * so the job spans many checkpoints however fast or slow the machine is, and cannot finish before
 * the test has done its damage and created the file.
 */
public final class ChatChangelogJob {
    static final int USERS = 5;

    private ChatChangelogJob() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> params = parse(args);
        String warehouse = required(params, "warehouse");
        long keys = Long.parseLong(params.getOrDefault("keys", "2000"));
        int parallelism = Integer.parseInt(params.getOrDefault("parallelism", "2"));
        long checkpointMs = Long.parseLong(params.getOrDefault("checkpoint-ms", "200"));
        String flushPolicy = params.getOrDefault("flush-policy", "rows:100");
        int perCheckpoint = Integer.parseInt(params.getOrDefault("per-checkpoint", "0"));
        String releaseFile = params.get("release-file");
        if (perCheckpoint > 0 && releaseFile == null) {
            throw new IllegalArgumentException(
                    "Cannot throttle the job: '--per-checkpoint' needs '--release-file'");
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
        RateLimiterStrategy<NumberSequenceSplit> limit =
                perCheckpoint > 0
                        ? new UntilReleased(perCheckpoint, releaseFile)
                        : RateLimiterStrategy.noOp();
        env.fromSource(
                        new DataGeneratorSource<>(index -> index, keys, limit, Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "keys")
                .flatMap(new Changes())
                .returns(RowData.class)
                .name("chat changes")
                .sinkTo(
                        TieredSink.forRowData(warehouse, "chat.messages")
                                .withDefinition(definition(flushPolicy))
                                .build())
                .name("chat.messages");
        env.execute("tiered e2e chat changelog (" + keys + " keys)");
    }

    /** The USER table {@code chat.messages} the job writes. */
    public static TableDefinition definition(String flushPolicy) {
        return TableDefinition.create(
                "chat",
                "messages",
                List.of(
                        column("id", "BIGINT NOT NULL"),
                        column("user_id", "STRING"),
                        column("conversation_id", "BIGINT"),
                        column("content", "STRING"),
                        column("created_at", "TIMESTAMP(3)")),
                List.of("id"),
                Map.of("TYPE", "USER", "FLUSH_POLICY", flushPolicy),
                "local"::equals);
    }

    /** The table's content after keys {@code [0, keys)}: id to content. */
    public static Map<Long, String> expected(long keys) {
        Map<Long, String> expected = new TreeMap<>();
        for (long i = 0; i < keys; i++) {
            if (i % 10 != 0) {
                expected.put(i, (i % 3 == 0 ? "u" : "c") + i);
            }
        }
        return expected;
    }

    /** The owner of key {@code id}. */
    public static String userOf(long id) {
        return "user" + (id % USERS);
    }

    /** Each key's changes, in order; they stay in order because the sink routes by user. */
    static final class Changes implements FlatMapFunction<Long, RowData> {
        private static final long serialVersionUID = 1L;

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
                            StringData.fromString(userOf(id)),
                            id / 100,
                            content == null ? null : StringData.fromString(content),
                            TimestampData.fromEpochMillis(1_700_000_000_000L + id));
            row.setRowKind(kind);
            return row;
        }
    }

    /**
     * At most {@code perCheckpoint} records per completed checkpoint and source subtask until the
     * release file exists, then no limit. Waiting is a future completed by the next checkpoint, so
     * the task thread never blocks and checkpoints keep flowing while the source waits.
     */
    static final class UntilReleased implements RateLimiterStrategy<NumberSequenceSplit> {
        private static final long serialVersionUID = 1L;

        private final int perCheckpoint;
        private final String releaseFile;

        UntilReleased(int perCheckpoint, String releaseFile) {
            this.perCheckpoint = perCheckpoint;
            this.releaseFile = releaseFile;
        }

        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            File release = new File(releaseFile);
            return new RateLimiter<>() {
                private int left = perCheckpoint;
                private boolean released;
                private CompletableFuture<Void> waiting;

                @Override
                public CompletionStage<Void> acquire(int permits) {
                    if (released || (released = release.exists())) {
                        return CompletableFuture.completedFuture(null);
                    }
                    if (left >= permits) {
                        left -= permits;
                        return CompletableFuture.completedFuture(null);
                    }
                    waiting = new CompletableFuture<>();
                    return waiting;
                }

                @Override
                public void notifyCheckpointComplete(long checkpointId) {
                    left = perCheckpoint;
                    if (waiting != null) {
                        CompletableFuture<Void> next = waiting;
                        waiting = null;
                        next.complete(null);
                    }
                }
            };
        }
    }

    private static Map.Entry<String, LogicalType> column(String name, String type) {
        return new AbstractMap.SimpleImmutableEntry<>(
                name, LogicalTypeParser.parse(type, ChatChangelogJob.class.getClassLoader()));
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException(
                        "Cannot parse arguments: expected '--name value' pairs, got '"
                                + args[i]
                                + "'");
            }
            params.put(args[i].substring(2), args[++i]);
        }
        return params;
    }

    private static String required(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Cannot run the job: '--" + name + "' is missing");
        }
        return value;
    }
}
