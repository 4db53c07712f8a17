package dev.tiered.bench.paimon;

import dev.tiered.bench.workload.ChatMessages;
import dev.tiered.bench.workload.ProcessStats;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.util.Collector;

import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.flink.lookup.FileStoreLookupFunction;
import org.apache.paimon.flink.sink.FlinkSinkBuilder;
import org.apache.paimon.flink.source.FlinkSourceBuilder;
import org.apache.paimon.options.Options;
import org.apache.paimon.predicate.Predicate;
import org.apache.paimon.predicate.PredicateBuilder;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.types.DataTypes;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The job-level benchmark's Apache Paimon cases, on the workload and settings of {@code
 * dev.tiered.e2e.bench.SinkJobBenchmark} (the rows of {@link ChatMessages}, generated in the job;
 * parallelism 2; checkpoints every second), in an embedded cluster. Prints {@code RESULT case=...}
 * lines in the format of the other cases, so that {@code scripts/job-bench.sh} tabulates them all.
 *
 * <p>Usage:
 *
 * <ul>
 *   <li>{@code ingest <case> <rows> <update-percent> <dir> [rows-per-second]}: case {@code
 *       paimon-pk} (primary key {@code id}, fixed {@code bucket = 2}: one bucket per writer
 *       subtask, about 100 MB each at 2 M rows, inside the 200 MB - 1 GB per bucket Paimon's docs
 *       recommend, and without the dynamic-bucket hash index) or {@code paimon-append} (no key,
 *       {@code bucket = -1}, Paimon's default for append tables). Paimon's defaults otherwise
 *       (Parquet, ZSTD level 1, compaction in the writers).
 *   <li>{@code read <case> <dir> <user> <lookups> [warm-scans]} on the table an ingest run left in
 *       {@code dir}: a bounded full scan (the first job of the JVM), {@code warm-scans} more full
 *       scans in the same JVM ({@code read-full-warm} lines), a scan filtered on one user id
 *       (Paimon has no per-user files: the filter is pushed down to file statistics), and for
 *       {@code paimon-pk} point lookups through {@link FileStoreLookupFunction} (the function
 *       Paimon's lookup joins use), each key looked up twice: the first pass reads files, the
 *       second finds them in Paimon's local lookup files.
 * </ul>
 */
public final class PaimonJobBenchmark {
    private static final int USERS = 1_000;
    private static final int PARALLELISM = 2;
    private static final Identifier TABLE = Identifier.create("chat", "messages");

    private PaimonJobBenchmark() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ingest" -> ingest(args);
            case "read" -> read(args);
            default -> throw new IllegalArgumentException("Unknown mode " + args[0]);
        }
        // Paimon's and Flink's pools may leave non-daemon threads behind.
        System.exit(0);
    }

    private static void ingest(String[] args) throws Exception {
        String name = args[1];
        long rows = Long.parseLong(args[2]);
        int updatePercent = Integer.parseInt(args[3]);
        File dir = new File(args[4]).getAbsoluteFile();
        long rate = args.length > 5 ? Long.parseLong(args[5]) : 0;
        FileStoreTable table = createTable(dir, name);

        StreamExecutionEnvironment env = environment();
        env.enableCheckpointing(1_000, CheckpointingMode.EXACTLY_ONCE);
        DataStream<RowData> messages =
                env.fromSource(
                        new DataGeneratorSource<>(
                                new ChatRows(USERS, updatePercent),
                                rows,
                                rate > 0
                                        ? RateLimiterStrategy.perSecond(rate)
                                        : RateLimiterStrategy.noOp(),
                                InternalTypeInfo.of(rowType())),
                        WatermarkStrategy.noWatermarks(),
                        "chat messages");
        new FlinkSinkBuilder(table).forRowData(messages).parallelism(PARALLELISM).build();
        double cpuBefore = ProcessStats.cpuSeconds();
        JobExecutionResult result = env.execute("job-bench " + name);
        double cpu = ProcessStats.cpuSeconds() - cpuBefore;
        double seconds = result.getNetRuntime() / 1000.0;

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("case", name + (updatePercent > 0 ? "+" + updatePercent + "%upd" : ""));
        line.put("rows", rows);
        line.put("seconds", format(seconds));
        line.put("rows_per_s", Math.round(rows / seconds));
        long[] files = files(dir);
        line.put("bytes", files[0]);
        line.put("data_files", files[1]);
        line.put("batches", "-");
        line.put("hot_segments", "-");
        FileStoreTable latest = (FileStoreTable) catalog(dir).getTable(TABLE);
        line.put("commits", latest.snapshotManager().latestSnapshotId());
        line.put("live_files", liveFiles(latest));
        line.put("cpu_s", format(cpu));
        line.put("peak_rss_mb", ProcessStats.peakRssMegabytes());
        print(line);
    }

    private static void read(String[] args) throws Exception {
        String name = args[1];
        File dir = new File(args[2]).getAbsoluteFile();
        String user = args[3];
        int lookups = Integer.parseInt(args[4]);
        int warmScans = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        FileStoreTable table = (FileStoreTable) catalog(dir).getTable(TABLE);

        scan(name + "/read-full", table, null);
        for (int i = 0; i < warmScans; i++) {
            scan(name + "/read-full-warm", table, null);
        }
        scan(name + "/read-user", table, user);
        if (!table.primaryKeys().isEmpty() && lookups > 0) {
            lookups(name, table, lookups);
        }
    }

    private static void scan(String label, FileStoreTable table, String user) throws Exception {
        Predicate filter =
                user == null
                        ? null
                        : new PredicateBuilder(table.rowType())
                                .equal(1, BinaryString.fromString(user));
        StreamExecutionEnvironment env = environment();
        FlinkSourceBuilder source =
                new FlinkSourceBuilder(table)
                        .env(env)
                        .sourceBounded(true)
                        .sourceParallelism(PARALLELISM);
        if (filter != null) {
            source.predicate(filter);
        }
        DataStream<RowData> rows = source.build();
        if (filter != null) {
            // Paimon's predicate prunes files and row groups; the rows of other users in the
            // files it reads are removed here, as the planner's Calc would.
            rows = rows.filter(new UserFilter(user));
        }
        rows.process(new CountRows()).sinkTo(new DiscardingSink<>());
        double cpuBefore = ProcessStats.cpuSeconds();
        JobExecutionResult result = env.execute("read " + label);
        double cpu = ProcessStats.cpuSeconds() - cpuBefore;
        double seconds = result.getNetRuntime() / 1000.0;
        long count = result.<Long>getAccumulatorResult(CountRows.ACCUMULATOR);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("case", label);
        line.put("rows", count);
        line.put("seconds", format(seconds));
        line.put("rows_per_s", Math.round(count / seconds));
        line.put("files_planned", plannedFiles(table, filter));
        line.put("cpu_s", format(cpu));
        line.put("peak_rss_mb", ProcessStats.peakRssMegabytes());
        print(line);
    }

    private static void lookups(String name, FileStoreTable table, int count) throws Exception {
        FileStoreLookupFunction function =
                new FileStoreLookupFunction(
                        table, new int[] {0, 1, 2, 3, 4}, new int[] {0}, null, null);
        // open(FunctionContext) digs the TaskManager's temporary directories out of a running
        // task's context by reflection; outside a task, open the function on a directory of our
        // own, as Paimon's own FileStoreLookupFunctionTest does (the method is package-private).
        java.lang.reflect.Method open =
                FileStoreLookupFunction.class.getDeclaredMethod("open", String.class);
        open.setAccessible(true);
        File tmp = Files.createTempDirectory("paimon-lookup").toFile();
        long start = System.nanoTime();
        open.invoke(function, tmp.getAbsolutePath());
        long openNanos = System.nanoTime() - start;
        long rows =
                table.newReadBuilder().newScan().plan().splits().stream()
                        .mapToLong(Split::rowCount)
                        .sum();
        long[] keys = lookupKeys(count, rows);
        long[] first = new long[count];
        long[] repeat = new long[count];
        int found = 0;
        GenericRowData key = new GenericRowData(1);
        for (int pass = 0; pass < 2; pass++) {
            long[] times = pass == 0 ? first : repeat;
            for (int i = 0; i < count; i++) {
                key.setField(0, keys[i]);
                long t0 = System.nanoTime();
                int n = function.lookup(key).size();
                times[i] = System.nanoTime() - t0;
                if (pass == 0) {
                    found += n;
                }
            }
        }
        function.close();
        deleteRecursively(tmp);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("case", name + "/lookup");
        line.put("lookups", count);
        line.put("found", found);
        line.put("open_ms", format(openNanos / 1e6));
        line.put("first_p50_us", micros(first, 0.50));
        line.put("first_p99_us", micros(first, 0.99));
        line.put("repeat_p50_us", micros(repeat, 0.50));
        line.put("repeat_p99_us", micros(repeat, 0.99));
        print(line);
    }

    /** {@code count} ids spread over {@code 0..rows-1}, the same in every lookup benchmark. */
    static long[] lookupKeys(int count, long rows) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = Long.remainderUnsigned(ChatMessages.mix(1_000_000L + i), rows);
        }
        return keys;
    }

    private static String micros(long[] nanos, double quantile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int at = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return format(sorted[Math.max(0, at)] / 1000.0);
    }

    private static FileStoreTable createTable(File dir, String name) throws Exception {
        Catalog catalog = catalog(dir);
        catalog.createDatabase("chat", true);
        Schema.Builder schema =
                Schema.newBuilder()
                        .column("id", DataTypes.BIGINT().notNull())
                        .column("user_id", DataTypes.STRING())
                        .column("conversation_id", DataTypes.BIGINT())
                        .column("content", DataTypes.STRING())
                        .column("created_at", DataTypes.TIMESTAMP(3));
        switch (name) {
            case "paimon-pk" -> schema.primaryKey("id").option("bucket", "2");
            case "paimon-append" -> schema.option("bucket", "-1");
            default -> throw new IllegalArgumentException("Unknown case " + name);
        }
        catalog.createTable(TABLE, schema.build(), false);
        return (FileStoreTable) catalog.getTable(TABLE);
    }

    private static Catalog catalog(File dir) {
        Options options = new Options();
        options.set("warehouse", dir.toURI().toString());
        return CatalogFactory.createCatalog(CatalogContext.create(options));
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        return env;
    }

    static RowType rowType() {
        return RowType.of(
                new org.apache.flink.table.types.logical.LogicalType[] {
                    new BigIntType(false),
                    VarCharType.STRING_TYPE,
                    new BigIntType(),
                    VarCharType.STRING_TYPE,
                    new TimestampType(3)
                },
                new String[] {"id", "user_id", "conversation_id", "content", "created_at"});
    }

    /** Data files of the latest snapshot (what a reader of the table reads). */
    private static long liveFiles(Table table) {
        long files = 0;
        for (Split split : table.newReadBuilder().newScan().plan().splits()) {
            files += ((DataSplit) split).dataFiles().size();
        }
        return files;
    }

    private static long plannedFiles(Table table, Predicate filter) {
        var builder = table.newReadBuilder();
        if (filter != null) {
            builder.withFilter(filter);
        }
        long files = 0;
        for (Split split : builder.newScan().plan().splits()) {
            files += ((DataSplit) split).dataFiles().size();
        }
        return files;
    }

    /** Bytes of every file under {@code dir}, and the data files among them (Parquet). */
    private static long[] files(File dir) throws IOException {
        long[] totals = new long[2];
        try (Stream<java.nio.file.Path> walk = Files.walk(dir.toPath())) {
            walk.filter(Files::isRegularFile)
                    .forEach(
                            p -> {
                                try {
                                    totals[0] +=
                                            Files.readAttributes(p, BasicFileAttributes.class)
                                                    .size();
                                } catch (IOException e) {
                                    return; // deleted meanwhile
                                }
                                String file = p.getFileName().toString();
                                if (!file.startsWith(".") && file.endsWith(".parquet")) {
                                    totals[1]++;
                                }
                            });
        }
        return totals;
    }

    private static void deleteRecursively(File dir) throws IOException {
        try (Stream<java.nio.file.Path> walk = Files.walk(dir.toPath())) {
            for (java.nio.file.Path path :
                    walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static void print(Map<String, Object> line) {
        StringBuilder out = new StringBuilder("RESULT");
        line.forEach((key, value) -> out.append(' ').append(key).append('=').append(value));
        System.out.println(out);
    }

    /** Row {@code i} of {@link ChatMessages}, as the other cases' generator makes it. */
    static final class ChatRows implements GeneratorFunction<Long, RowData> {
        private static final long serialVersionUID = 1L;
        private final ChatMessages messages;

        ChatRows(int users, int updatePercent) {
            this.messages = new ChatMessages(users, updatePercent);
        }

        @Override
        public RowData map(Long index) {
            long i = index;
            long id = messages.id(i);
            return GenericRowData.of(
                    id,
                    StringData.fromString(messages.userId(id)),
                    messages.conversationId(id),
                    StringData.fromString(messages.content(i)),
                    TimestampData.fromEpochMillis(messages.createdAtMillis(i)));
        }
    }

    /** Keeps the rows of one user. */
    static final class UserFilter
            implements org.apache.flink.api.common.functions.FilterFunction<RowData> {
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
