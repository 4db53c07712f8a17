package dev.tiered.e2e.bench;

import dev.tiered.bench.workload.ProcessStats;
import dev.tiered.sink.TieredSink;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.row.ParquetRowDataBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
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
 * <p>Usage: {@code SinkJobBenchmark <case> <rows> <update-percent> <dir> [flush-policy]
 * [rows-per-second]} where case is {@code blackhole} (generator only), {@code filesink-parquet}
 * (Flink's FileSink), {@code tiered-user} or {@code tiered-shared}; a rate above 0 limits the
 * generator to that many rows per second (the rate-limited file-count runs).
 *
 * <p>Files are counted after the job: {@code data_files} = Parquet files (FileSink's part files,
 * our batches) + our hot segments (Avro), every one on disk, whether or not the table still
 * references it; {@code live_files} = the batches the scopes' manifests list + the hot segments the
 * latest table state holds live. {@code flushes} = scope flushes committed (one batch each), {@code
 * flush_commits} = commits that flushed at least one scope.
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
        long rate = args.length > 5 ? Long.parseLong(args[5]) : 0;

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
                                rate > 0
                                        ? RateLimiterStrategy.perSecond(rate)
                                        : RateLimiterStrategy.noOp(),
                                InternalTypeInfo.of(rowType)),
                        WatermarkStrategy.noWatermarks(),
                        "chat messages");
        String base = dir.toURI().toString();
        switch (name) {
            case "blackhole" -> messages.sinkTo(new DiscardingSink<>());
            case "filesink-parquet" -> messages.sinkTo(fileSink(dir, rowType));
            case "tiered-user", "tiered-shared" ->
                    messages.sinkTo(
                            TieredSink.forRowData(base, "chat.messages")
                                    .withDefinition(
                                            definition(
                                                    name.equals("tiered-user") ? "USER" : "SHARED",
                                                    policy))
                                    .withMaintenanceInterval(maintenanceInterval())
                                    .build());
            default -> throw new IllegalArgumentException("Unknown case " + name);
        }
        double cpuBefore = ProcessStats.cpuSeconds();
        JobExecutionResult result = env.execute("job-bench " + name);
        double cpu = ProcessStats.cpuSeconds() - cpuBefore;
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
        if (name.startsWith("tiered")) {
            TieredTable table =
                    TieredTable.open(
                            new FlinkFileIO(), Path.fromLocalFile(dir), "chat", "messages");
            TableState state = table.latestState();
            line.put("commits", state.commit());
            long[] flushes = flushes(table, state.commit());
            line.put("flushes", flushes[0]);
            line.put("flush_commits", flushes[1]);
            line.put("live_files", liveFiles(table, state));
        } else if (name.equals("filesink-parquet")) {
            line.put("live_files", files[1]);
        }
        line.put("cpu_s", String.format(Locale.ROOT, "%.2f", cpu));
        line.put("peak_rss_mb", ProcessStats.peakRssMegabytes());
        StringBuilder out = new StringBuilder("RESULT");
        line.forEach((key, value) -> out.append(' ').append(key).append('=').append(value));
        System.out.println(out);
    }

    /**
     * Flink's FileSink with Parquet, as the {@code filesystem} SQL connector writes it: one part
     * file per subtask and checkpoint (bulk formats roll on checkpoint), Snappy, the SQL format's
     * default.
     */
    private static FileSink<RowData> fileSink(File dir, RowType rowType) {
        org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
        hadoop.set("parquet.compression", "SNAPPY");
        return FileSink.forBulkFormat(
                        Path.fromLocalFile(dir),
                        ParquetRowDataBuilder.createWriterFactory(rowType, hadoop, true))
                .withOutputFileConfig(OutputFileConfig.builder().withPartSuffix(".parquet").build())
                .build();
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

    static TableDefinition definition(String type, String policy) {
        RowType rowType = rowType();
        List<Map.Entry<String, LogicalType>> columns =
                rowType.getFields().stream().map(f -> Map.entry(f.getName(), f.getType())).toList();
        return TableDefinition.create(
                "chat", "messages", columns, List.of("id"), options(type, policy), "local"::equals);
    }

    /**
     * The table's options: TYPE, FLUSH_POLICY and any {@code key=value} pairs of the environment
     * variable TABLE_OPTIONS, separated by {@code ;} (e.g. {@code log.retain-time=1 min}).
     */
    private static Map<String, String> options(String type, String policy) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        options.put("TYPE", type);
        options.put("FLUSH_POLICY", policy);
        String extra = System.getenv("TABLE_OPTIONS");
        if (extra != null) {
            for (String pair : extra.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    options.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
        }
        return options;
    }

    /**
     * How often the sink runs compaction and expiry: the environment variable
     * SINK_MAINTENANCE_INTERVAL in seconds (with a short {@code log.retain-time}, so that expired
     * hot segments leave during a rate-limited run), else the sink's default.
     */
    private static java.time.Duration maintenanceInterval() {
        String seconds = System.getenv("SINK_MAINTENANCE_INTERVAL");
        return seconds == null
                ? dev.tiered.sink.SinkOptions.MAINTENANCE_INTERVAL.defaultValue()
                : java.time.Duration.ofSeconds(Long.parseLong(seconds.trim()));
    }

    /** {scope flushes, commits with at least one flush} over the commit log. */
    private static long[] flushes(TieredTable table, long latest) throws IOException {
        long[] counts = new long[2];
        // the retained commits: with log.retain-* set short, expired commits are not counted
        for (long commit : table.log().listCommits()) {
            if (commit > latest) {
                break;
            }
            int flushed = 0;
            for (ScopeChange change : table.log().read(commit).scopeChanges()) {
                if (!change.addedSegments().isEmpty()) {
                    flushed++;
                }
            }
            counts[0] += flushed;
            counts[1] += flushed > 0 ? 1 : 0;
        }
        return counts;
    }

    /** Batches listed by the scopes' current manifests + the live hot segments. */
    private static long liveFiles(TieredTable table, TableState state) throws IOException {
        long files = state.hotSegments().size();
        for (ScopeId scope : state.scopeIds()) {
            files += table.manifest(state, scope).segments().size();
        }
        return files;
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
}
