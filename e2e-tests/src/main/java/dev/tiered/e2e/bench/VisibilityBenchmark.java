package dev.tiered.e2e.bench;

import dev.tiered.sink.TieredSink;
import dev.tiered.source.SourceOptions;
import dev.tiered.source.TieredSource;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Time to visibility: how long a written row takes to reach a streaming reader of the table. One
 * job, parallelism 2, checkpoints every second: the chat workload, rate-limited and stamped with
 * the time each row is generated ({@code created_at}), into a {@link TieredSink}, and beside it a
 * streaming {@link TieredSource} ({@code scan.mode = latest}, default {@code
 * scan.discovery-interval} of 1 s) whose rows are timed on arrival: lag = arrival − generation. A
 * row becomes visible when the checkpoint after it completes and its commit is written; the reader
 * finds the commit at its next discovery. Prints {@code RESULT case=<case>/visibility rows=...
 * lag_p50_ms=... lag_p99_ms=... lag_max_ms=...}.
 *
 * <p>Usage: {@code VisibilityBenchmark <tiered-user|tiered-shared> <rows> <rows-per-second> <dir>
 * [flush-policy]}.
 */
public final class VisibilityBenchmark {
    private static final int USERS = 1_000;
    private static final int PARALLELISM = 2;

    private VisibilityBenchmark() {}

    public static void main(String[] args) throws Exception {
        String name = args[0];
        long rows = Long.parseLong(args[1]);
        long rate = Long.parseLong(args[2]);
        File dir = new File(args[3]).getAbsoluteFile();
        String policy = args.length > 4 ? args[4] : "rows:100000,interval:60";
        String base = dir.toURI().toString();
        // The source reads the table's definition when it is built: create the table first.
        TieredTable.create(
                new FlinkFileIO(),
                Path.fromLocalFile(dir),
                SinkJobBenchmark.definition(
                        name.equals("tiered-user") ? "USER" : "SHARED", policy));

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(1_000, CheckpointingMode.EXACTLY_ONCE);
        env.fromSource(
                        new DataGeneratorSource<>(
                                new ChatWorkload(USERS, 0, true),
                                rows,
                                RateLimiterStrategy.perSecond(rate),
                                InternalTypeInfo.of(SinkJobBenchmark.rowType())),
                        WatermarkStrategy.noWatermarks(),
                        "chat messages")
                .sinkTo(TieredSink.forRowData(base, "chat.messages").build());
        env.fromSource(
                        TieredSource.forRowData(base, "chat.messages")
                                .streaming()
                                .scanMode(SourceOptions.ScanMode.LATEST)
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "tiered reader")
                .process(new Lag())
                .sinkTo(new DiscardingSink<>());

        JobClient client = env.executeAsync("visibility " + name);
        JobID job = client.getJobID();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(rows / rate + 180);
        long seen = 0;
        Map<String, Object> accumulators = Map.of();
        while (seen < rows && System.nanoTime() < deadline) {
            Thread.sleep(500);
            accumulators = client.getAccumulators().get();
            Object count = accumulators.get(Lag.ROWS);
            seen = count == null ? 0 : (Long) count;
        }
        accumulators = client.getAccumulators().get();
        client.cancel().get();

        @SuppressWarnings("unchecked")
        TreeMap<Integer, Integer> lags =
                (TreeMap<Integer, Integer>) accumulators.getOrDefault(Lag.LAG, new TreeMap<>());
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("case", name + "/visibility");
        line.put("rows", rows);
        line.put("rows_seen", seen);
        line.put("rate", rate);
        line.put("lag_p50_ms", quantile(lags, 0.50));
        line.put("lag_p99_ms", quantile(lags, 0.99));
        line.put("lag_max_ms", lags.isEmpty() ? "-" : lags.lastKey());
        line.put("job", job);
        StringBuilder out = new StringBuilder("RESULT");
        line.forEach((key, value) -> out.append(' ').append(key).append('=').append(value));
        System.out.println(out);
        System.exit(0);
    }

    private static Object quantile(TreeMap<Integer, Integer> histogram, double q) {
        long total = histogram.values().stream().mapToLong(Integer::longValue).sum();
        if (total == 0) {
            return "-";
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (Map.Entry<Integer, Integer> bin : histogram.entrySet()) {
            seen += bin.getValue();
            if (seen >= rank) {
                return bin.getKey();
            }
        }
        return histogram.lastKey();
    }

    /** Records, per row read, the milliseconds since the row was generated; emits nothing. */
    static final class Lag extends ProcessFunction<RowData, RowData> {
        static final String ROWS = "rows_seen";
        static final String LAG = "lag_ms";
        private static final long serialVersionUID = 1L;
        private static final int CREATED_AT = 4;
        private transient LongCounter rows;
        private transient Histogram lag;

        @Override
        public void open(OpenContext context) {
            rows = new LongCounter();
            lag = new Histogram();
            getRuntimeContext().addAccumulator(ROWS, rows);
            getRuntimeContext().addAccumulator(LAG, lag);
        }

        @Override
        public void processElement(RowData row, Context context, Collector<RowData> out) {
            long created = row.getTimestamp(CREATED_AT, 3).getMillisecond();
            lag.add((int) Math.min(Integer.MAX_VALUE, System.currentTimeMillis() - created));
            rows.add(1L);
        }
    }
}
