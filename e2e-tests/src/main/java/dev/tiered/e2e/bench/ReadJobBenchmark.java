package dev.tiered.e2e.bench;

import dev.tiered.bench.workload.ChatMessages;
import dev.tiered.bench.workload.ProcessStats;
import dev.tiered.source.SourceOptions;
import dev.tiered.source.TieredLookupFunction;
import dev.tiered.source.TieredSource;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.enumerator.SplitPlanner;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.util.Collector;

import java.io.File;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The read side of the job-level benchmark, on the table an ingest run of {@link SinkJobBenchmark}
 * left in {@code dir}: a bounded full scan ({@link TieredSource}, parallelism 2, into a discarding
 * sink), a scan of one user, and point lookups ({@link TieredLookupFunction}). Prints {@code RESULT
 * case=<case>/read-full|read-full-warm|read-user|lookup ...} lines.
 *
 * <p>Full scans: {@code read-full} is the first job of a fresh JVM, so it includes loading and
 * compiling the read path; each of the {@code warm-scans} further full scans in the same JVM prints
 * a {@code read-full-warm} line (what a long-running TaskManager sees). Paimon's read is measured
 * the same way.
 *
 * <p>One-user scan: on a USER table the source reads only that user's scope ({@code forUser}); the
 * line says how many files the planner gave the readers ({@code files_planned}) and how many of
 * them lie outside the user's directory ({@code files_outside_user}, hot segments counted apart:
 * they hold the changes of one writer's checkpoint for several users and are filtered by scope
 * while read). A reader opens exactly the files of its splits. On a SHARED table there is no
 * per-user file: the scan reads everything and filters, as Paimon's does.
 *
 * <p>Lookups: {@code lookups} ids spread over the table (the same ids as Paimon's lookups), by (id,
 * user id) on a USER table and by id on a SHARED one, each looked up twice: the first pass misses
 * the cache and reads the key's scope over both tiers (batches pruned by key statistics and bloom
 * filters), the second is served from the cache. Latencies are per call, in microseconds.
 *
 * <p>Usage: {@code ReadJobBenchmark <case> <dir> <rows> <user> <lookups> [warm-scans]}.
 */
public final class ReadJobBenchmark {
    private static final int USERS = 1_000;
    private static final int PARALLELISM = 2;
    private static final String TABLE = "chat.messages";

    private ReadJobBenchmark() {}

    public static void main(String[] args) throws Exception {
        String name = args[0];
        File dir = new File(args[1]).getAbsoluteFile();
        long rows = Long.parseLong(args[2]);
        String user = args[3];
        int lookups = Integer.parseInt(args[4]);
        int warmScans = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        String base = dir.toURI().toString();
        TieredTable table =
                TieredTable.open(new FlinkFileIO(), Path.fromLocalFile(dir), "chat", "messages");
        boolean userTable = table.definition().type() == TableType.USER;

        Map<String, Object> full = scan(TieredSource.forRowData(base, TABLE).build(), null);
        long[] fullPlan = plannedFiles(table, base, null);
        full.put("files_planned", fullPlan[0]);
        full.put("splits", fullPlan[3]);
        print(name + "/read-full", full);
        for (int i = 0; i < warmScans; i++) {
            print(
                    name + "/read-full-warm",
                    scan(TieredSource.forRowData(base, TABLE).build(), null));
        }

        Map<String, Object> one;
        if (userTable) {
            one = scan(TieredSource.forRowData(base, TABLE).forUser(user).build(), null);
            long[] planned = plannedFiles(table, base, user);
            one.put("files_planned", planned[0]);
            one.put("hot_segments_planned", planned[1]);
            one.put("files_outside_user", planned[2]);
        } else {
            one = scan(TieredSource.forRowData(base, TABLE).build(), user);
            one.put("files_planned", plannedFiles(table, base, null)[0]);
        }
        print(name + "/read-user", one);

        if (lookups > 0) {
            print(name + "/lookup", lookups(base, userTable, rows, lookups));
        }
        System.exit(0);
    }

    private static Map<String, Object> scan(TieredSource<RowData> source, String userFilter)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        DataStream<RowData> rows =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "tiered source");
        if (userFilter != null) {
            rows = rows.filter(new UserFilter(userFilter));
        }
        rows.process(new CountRows()).sinkTo(new DiscardingSink<>());
        double cpuBefore = ProcessStats.cpuSeconds();
        JobExecutionResult result = env.execute("read");
        double cpu = ProcessStats.cpuSeconds() - cpuBefore;
        double seconds = result.getNetRuntime() / 1000.0;
        long count = result.<Long>getAccumulatorResult(CountRows.ACCUMULATOR);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("rows", count);
        line.put("seconds", format(seconds));
        line.put("rows_per_s", Math.round(count / seconds));
        line.put("cpu_s", format(cpu));
        line.put("peak_rss_mb", ProcessStats.peakRssMegabytes());
        return line;
    }

    /**
     * What the source's planner hands the readers for a bounded scan (of one user, or of all):
     * {data files (batches + hot segments), hot segments, files of splits of another scope}, each
     * file counted once (the parts of a large scope's key span share files), and the splits.
     */
    private static long[] plannedFiles(TieredTable table, String base, String user)
            throws Exception {
        ReadConfig config =
                new ReadConfig(
                        base,
                        table.definition(),
                        Boundedness.BOUNDED,
                        SourceOptions.ScanMode.FULL,
                        null,
                        null,
                        null,
                        user,
                        null,
                        null,
                        -1,
                        1_000);
        SplitPlanner planner = new SplitPlanner(table, config);
        List<TieredSplit> splits =
                planner.snapshot(planner.startCommit(), System.currentTimeMillis());
        Set<String> batches = new HashSet<>();
        Set<String> hot = new HashSet<>();
        long outside = 0;
        Path scopeDir = user == null ? null : table.scopeDir(ScopeId.user(user));
        for (TieredSplit split : splits) {
            hot.addAll(split.hotSegments());
            for (String batch : split.batches()) {
                if (!batches.add(split.userId() + "/" + batch) || user == null) {
                    continue;
                }
                Path file = new Path(scopeDir, batch);
                if (!user.equals(split.userId()) || !file.getFileSystem().exists(file)) {
                    outside++;
                }
            }
        }
        return new long[] {batches.size() + hot.size(), hot.size(), outside, splits.size()};
    }

    private static Map<String, Object> lookups(String base, boolean userTable, long rows, int count)
            throws Exception {
        TieredLookupFunction function =
                userTable
                        ? TieredLookupFunction.forTable(base, TABLE, "id", "user_id").build()
                        : TieredLookupFunction.forTable(base, TABLE, "id").build();
        long start = System.nanoTime();
        function.open(new FunctionContext(null));
        long openNanos = System.nanoTime() - start;
        ChatMessages messages = new ChatMessages(USERS, 0);
        long[] keys = lookupKeys(count, rows);
        GenericRowData[] keyRows = new GenericRowData[count];
        for (int i = 0; i < count; i++) {
            keyRows[i] =
                    userTable
                            ? GenericRowData.of(
                                    keys[i], StringData.fromString(messages.userId(keys[i])))
                            : GenericRowData.of(keys[i]);
        }
        long[] first = new long[count];
        long[] repeat = new long[count];
        int found = 0;
        for (int pass = 0; pass < 2; pass++) {
            long[] times = pass == 0 ? first : repeat;
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                int n = function.lookup(keyRows[i]).size();
                times[i] = System.nanoTime() - t0;
                if (pass == 0) {
                    found += n;
                }
            }
        }
        function.close();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("lookups", count);
        line.put("found", found);
        line.put("open_ms", format(openNanos / 1e6));
        line.put("first_p50_us", micros(first, 0.50));
        line.put("first_p99_us", micros(first, 0.99));
        line.put("repeat_p50_us", micros(repeat, 0.50));
        line.put("repeat_p99_us", micros(repeat, 0.99));
        return line;
    }

    /** {@code count} ids spread over {@code 0..rows-1}; the Paimon module looks up the same. */
    static long[] lookupKeys(int count, long rows) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = Long.remainderUnsigned(ChatMessages.mix(1_000_000L + i), rows);
        }
        return keys;
    }

    static String micros(long[] nanos, double quantile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int at = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return format(sorted[Math.max(0, at)] / 1000.0);
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static void print(String label, Map<String, Object> values) {
        StringBuilder out = new StringBuilder("RESULT case=").append(label);
        values.forEach((key, value) -> out.append(' ').append(key).append('=').append(value));
        System.out.println(out);
    }

    /** Keeps the rows of one user. */
    static final class UserFilter implements FilterFunction<RowData> {
        private static final long serialVersionUID = 1L;
        private final String user;
        private transient StringData userData;

        UserFilter(String user) {
            this.user = user;
        }

        @Override
        public boolean filter(RowData row) {
            if (userData == null) {
                userData = StringData.fromString(user);
            }
            return userData.equals(row.getString(1));
        }
    }

    /** Counts rows into an accumulator and emits nothing. */
    static final class CountRows extends ProcessFunction<RowData, RowData> {
        static final String ACCUMULATOR = "rows";
        private static final long serialVersionUID = 1L;
        private transient LongCounter rows;

        @Override
        public void open(OpenContext context) {
            rows = new LongCounter();
            getRuntimeContext().addAccumulator(ACCUMULATOR, rows);
        }

        @Override
        public void processElement(RowData row, Context context, Collector<RowData> out) {
            rows.add(1L);
        }
    }
}
