package dev.tiered.e2e.bench;

import dev.tiered.sink.TieredSink;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One run of the job-level ingest benchmark in an embedded cluster: the chat workload (generated in
 * the job) into one sink, checkpoints every second, parallelism 2. Prints one result line, {@code
 * RESULT case=... rows=... seconds=... rows_per_s=... bytes=... data_files=...}; {@code
 * scripts/job-bench.sh} runs each case several times in fresh JVMs and tabulates the medians.
 *
 * <p>Usage: {@code SinkJobBenchmark <case> <rows> <update-percent> <dir> [flush-policy]} where case
 * is {@code blackhole} (generator only), {@code tiered-user} or {@code tiered-shared}.
 */
public final class SinkJobBenchmark {
    private static final int USERS = 1_000;
    private static final int PARALLELISM = 2;

    private SinkJobBenchmark() {}

    public static void main(String[] args) throws Exception {
        String name = args[0];
        long rows = Long.parseLong(args[1]);
        int updatePercent = Integer.parseInt(args[2]);
        File dir = new File(args[3]).getAbsoluteFile();
        String policy = args.length > 4 ? args[4] : "rows:100000,interval:60";

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(1_000, CheckpointingMode.EXACTLY_ONCE);
        RowType rowType = rowType();
        DataStream<RowData> messages =
                env.fromSource(
                        new DataGeneratorSource<>(
                                new ChatWorkload(USERS, updatePercent),
                                rows,
                                RateLimiterStrategy.noOp(),
                                InternalTypeInfo.of(rowType)),
                        WatermarkStrategy.noWatermarks(),
                        "chat messages");
        String base = dir.toURI().toString();
        switch (name) {
            case "blackhole" -> messages.sinkTo(new DiscardingSink<>());
            case "tiered-user", "tiered-shared" ->
                    messages.sinkTo(
                            TieredSink.forRowData(base, "chat.messages")
                                    .withDefinition(
                                            definition(
                                                    name.equals("tiered-user") ? "USER" : "SHARED",
                                                    policy))
                                    .build());
            default -> throw new IllegalArgumentException("Unknown case " + name);
        }
        JobExecutionResult result = env.execute("job-bench " + name);
        double seconds = result.getNetRuntime() / 1000.0;

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("case", name + (updatePercent > 0 ? "+" + updatePercent + "%upd" : ""));
        line.put("rows", rows);
        line.put("seconds", String.format(Locale.ROOT, "%.2f", seconds));
        line.put("rows_per_s", Math.round(rows / seconds));
        long[] files = files(dir);
        line.put("bytes", files[0]);
        line.put("data_files", files[1]);
        line.put("batches", files[2]);
        line.put("hot_segments", files[3]);
        if (!name.equals("blackhole")) {
            TableState state =
                    TieredTable.open(new FlinkFileIO(), Path.fromLocalFile(dir), "chat", "messages")
                            .latestState();
            line.put("commits", state.commit());
        }
        line.put("peak_rss_mb", peakRssMegabytes());
        StringBuilder out = new StringBuilder("RESULT");
        line.forEach((key, value) -> out.append(' ').append(key).append('=').append(value));
        System.out.println(out);
    }

    static RowType rowType() {
        return (RowType)
                DataTypes.ROW(
                                DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                                DataTypes.FIELD("user_id", DataTypes.STRING()),
                                DataTypes.FIELD("conversation_id", DataTypes.BIGINT()),
                                DataTypes.FIELD("content", DataTypes.STRING()),
                                DataTypes.FIELD("created_at", DataTypes.TIMESTAMP(3)))
                        .getLogicalType();
    }

    private static TableDefinition definition(String type, String policy) {
        RowType rowType = rowType();
        List<Map.Entry<String, LogicalType>> columns =
                rowType.getFields().stream().map(f -> Map.entry(f.getName(), f.getType())).toList();
        return TableDefinition.create(
                "chat",
                "messages",
                columns,
                List.of("id"),
                Map.of("TYPE", type, "FLUSH_POLICY", policy),
                "local"::equals);
    }

    /** Bytes of all files, data files (Parquet + Avro), batches, hot segments under {@code dir}. */
    private static long[] files(File dir) throws IOException {
        long[] totals = new long[4];
        if (!dir.exists()) {
            return totals;
        }
        try (Stream<java.nio.file.Path> walk = Files.walk(dir.toPath())) {
            walk.filter(Files::isRegularFile)
                    .forEach(
                            p -> {
                                try {
                                    totals[0] +=
                                            Files.readAttributes(p, BasicFileAttributes.class)
                                                    .size();
                                } catch (IOException e) {
                                    return; // deleted meanwhile (a temp file)
                                }
                                String file = p.getFileName().toString();
                                if (file.startsWith(".")) {
                                    return;
                                }
                                if (file.endsWith(".parquet")) {
                                    totals[1]++;
                                    totals[2]++;
                                } else if (file.endsWith(".avro")) {
                                    totals[1]++;
                                    totals[3]++;
                                }
                            });
        }
        return totals;
    }

    /** The process's peak resident set (VmHWM), the embedded TaskManager included. */
    private static long peakRssMegabytes() throws IOException {
        for (String line : Files.readAllLines(new File("/proc/self/status").toPath())) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
