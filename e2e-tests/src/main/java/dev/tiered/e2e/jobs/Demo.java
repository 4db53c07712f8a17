package dev.tiered.e2e.jobs;

import dev.tiered.sink.TieredSink;
import dev.tiered.source.TieredSource;
import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableValidationException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The project demo: one embedded Flink job (a local MiniCluster, checkpoints every 200 ms) writes
 * the seed's three tables into a local warehouse — chat.messages (USER, one directory per user,
 * FLUSH_POLICY rows:1000), app.config (SHARED, updated and deleted keys) and chat.typing_events
 * (STREAM, TTL 10 s, never flushed) — and then reads each back over both tiers, showing the files
 * the flushes made. Finally it prints the errors the connector gives for broken definitions.
 *
 * <p>Usage: {@code Demo [warehouse-dir]} (default {@code ./demo-warehouse}, emptied first).
 */
public final class Demo {
    private static final int USERS = 3;
    private static final long MESSAGES = 6_000;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        File dir = new File(args.length > 0 ? args[0] : "demo-warehouse").getAbsoluteFile();
        deleteRecursively(dir);
        String warehouse = dir.toURI().toString();
        System.out.println("Tiered Tables demo: warehouse " + warehouse);

        TableDefinition messages =
                TableDefinition.create(
                        "chat",
                        "messages",
                        columns(
                                "id BIGINT NOT NULL",
                                "user_id STRING",
                                "conversation_id BIGINT",
                                "content STRING",
                                "created_at TIMESTAMP(3)"),
                        List.of("id"),
                        Map.of(
                                "TYPE", "USER",
                                "FLUSH_POLICY", "rows:1000,interval:60",
                                "fields.created_at.default", "NOW()"),
                        "local"::equals);
        TableDefinition config =
                TableDefinition.create(
                        "app",
                        "config",
                        columns("name STRING NOT NULL", "value STRING"),
                        List.of("name"),
                        Map.of(
                                "TYPE",
                                "SHARED",
                                "ACCESS_LEVEL",
                                "PUBLIC",
                                "FLUSH_POLICY",
                                "rows:100"),
                        "local"::equals);
        TableDefinition typing =
                TableDefinition.create(
                        "chat",
                        "typing_events",
                        columns(
                                "event_id BIGINT NOT NULL",
                                "user_id STRING",
                                "conversation_id BIGINT"),
                        List.of("event_id"),
                        Map.of("TYPE", "STREAM", "TTL_SECONDS", "10"),
                        "local"::equals);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(0, MESSAGES - 1)
                .map(Demo::paced)
                .map(Demo::message)
                .returns(RowData.class)
                .sinkTo(
                        TieredSink.forRowData(warehouse, "chat.messages")
                                .withDefinition(messages)
                                .build())
                .name("chat.messages");
        // One source subtask: a key's insert, updates and delete must reach the sink in order.
        env.fromSequence(0, 299)
                .setParallelism(1)
                .map(Demo::configChange)
                .setParallelism(1)
                .returns(RowData.class)
                .sinkTo(
                        TieredSink.forRowData(warehouse, "app.config")
                                .withDefinition(config)
                                .build())
                .name("app.config");
        env.fromSequence(0, 499)
                .map(
                        i ->
                                (RowData)
                                        GenericRowData.of(
                                                i,
                                                StringData.fromString("user" + (i % USERS)),
                                                i % 7))
                .returns(RowData.class)
                .sinkTo(
                        TieredSink.forRowData(warehouse, "chat.typing_events")
                                .withDefinition(typing)
                                .build())
                .name("chat.typing_events");
        long started = System.currentTimeMillis();
        Thread progress = new Thread(() -> progress(dir, started), "demo-progress");
        progress.setDaemon(true);
        progress.start();
        env.execute("tiered-tables-demo");
        progress.interrupt();
        progress.join();
        System.out.printf("Job finished in %d ms.%n%n", System.currentTimeMillis() - started);

        long now = System.currentTimeMillis();
        show(dir, "chat", "messages", now);
        show(dir, "app", "config", now);
        show(dir, "chat", "typing_events", now);

        System.out.println(
                "Reading chat.messages back with a Flink job (TieredSource, both tiers):");
        Map<String, Long> perUser = new TreeMap<>();
        StreamExecutionEnvironment reader = StreamExecutionEnvironment.getExecutionEnvironment();
        reader.setParallelism(2);
        try (CloseableIterator<RowData> rows =
                reader.fromSource(
                                TieredSource.forRowData(warehouse, "chat.messages")
                                        .selectColumns("id", "user_id")
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "chat.messages")
                        .executeAndCollect("tiered-tables-demo-read")) {
            rows.forEachRemaining(row -> perUser.merge(row.getString(1).toString(), 1L, Long::sum));
        }
        perUser.forEach((user, rows) -> System.out.printf("  %-6s %5d rows%n", user, rows));
        System.out.println();

        System.out.println("Files of chat.messages (a directory per user):");
        tree(new File(dir, "chat/messages"), "  ");
        File manifest = new File(dir, "chat/messages/user0/manifest.json");
        System.out.println();
        System.out.println("chat/messages/user0/manifest.json:");
        System.out.println(Files.readString(manifest.toPath()));
        System.out.println();
        TieredTable stream = open(dir, "chat", "typing_events");
        System.out.printf(
                "  chat.typing_events 11 s later (past TTL_SECONDS=10): %d rows%n%n",
                count(stream, stream.latestState(), ScopeId.SHARED, now + 11_000));

        System.out.println("Definitions the connector rejects, with its messages:");
        reject("STREAM without TTL", Map.of("TYPE", "STREAM"), List.of());
        reject("bad FLUSH_POLICY", Map.of("FLUSH_POLICY", "rows:0,interval:60"), List.of("name"));
        reject(
                "ACCESS_LEVEL on USER",
                Map.of("TYPE", "USER", "ACCESS_LEVEL", "PUBLIC"),
                List.of("name"));
        reject("USER without a key", Map.of("TYPE", "USER"), List.of());
        System.out.println("Done.");
    }

    /** About 1,000 messages a second per subtask, so the flushes happen while you watch. */
    private static long paced(long i) throws InterruptedException {
        Thread.sleep(1);
        return i;
    }

    private static RowData message(long i) {
        // created_at is left null: the sink fills it with NOW() ('fields.created_at.default').
        return GenericRowData.of(
                i,
                StringData.fromString("user" + (i % USERS)),
                i / 50,
                StringData.fromString("message " + i),
                null);
    }

    /** Keys 0..99 inserted, then updated; every 10th deleted at the end. */
    private static RowData configChange(long i) {
        long key = i % 100;
        GenericRowData row =
                GenericRowData.of(
                        StringData.fromString("setting." + key),
                        StringData.fromString("v" + i / 100));
        if (i >= 200 && key % 10 == 0) {
            row.setRowKind(RowKind.DELETE);
        }
        return row;
    }

    private static TieredTable open(File dir, String ns, String table) throws IOException {
        return TieredTable.open(new FlinkFileIO(), Path.fromLocalFile(dir), ns, table);
    }

    private static void show(File dir, String ns, String name, long now) throws IOException {
        TieredTable table = open(dir, ns, name);
        TableState state = table.latestState();
        System.out.printf(
                "%s.%s (%s): %d commits, %d live hot segments%n",
                ns, name, table.definition().type(), state.commit(), state.hotSegments().size());
        List<ScopeId> scopes = state.liveScopeIds();
        for (ScopeId scope : scopes) {
            ScopeManifest manifest = table.manifest(state, scope);
            long batchRows = manifest.segments().stream().mapToLong(s -> s.rowCount()).sum();
            System.out.printf(
                    "  scope %-9s %5d rows read over both tiers | %d batches (%d rows) in %s%n",
                    scope,
                    count(table, state, scope, now),
                    manifest.segments().size(),
                    batchRows,
                    dir.toPath().relativize(new File(table.scopeDir(scope).toUri()).toPath()));
        }
        try (ChangeCursor cursor =
                ScopeReader.open(
                        table,
                        state,
                        scopes.isEmpty() ? ScopeId.SHARED : scopes.get(0),
                        BatchReadSpec.all(),
                        now,
                        false)) {
            if (cursor.next()) {
                System.out.println("  first row: " + format(table.definition(), cursor.row()));
            }
        }
        System.out.println();
    }

    /** Prints what the tables' commits hold while the job runs, each time it changes. */
    private static void progress(File dir, long started) {
        String last = "";
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(250);
                StringBuilder line = new StringBuilder();
                for (String[] t :
                        new String[][] {
                            {"chat", "messages"}, {"app", "config"}, {"chat", "typing_events"}
                        }) {
                    if (!new File(dir, t[0] + "/" + t[1] + "/_log").exists()) {
                        continue;
                    }
                    TieredTable table = open(dir, t[0], t[1]);
                    TableState state = table.latestState();
                    long hotRows = state.hotSegments().stream().mapToLong(h -> h.rowCount()).sum();
                    long batches = 0;
                    long batchRows = 0;
                    for (ScopeId scope : state.scopeIds()) {
                        for (var segment : table.manifest(state, scope).segments()) {
                            batches++;
                            batchRows += segment.rowCount();
                        }
                    }
                    line.append(
                            String.format(
                                    " | %s.%s commit %d: %d hot rows, %d batches (%d rows)",
                                    t[0], t[1], state.commit(), hotRows, batches, batchRows));
                }
                String text = line.toString();
                if (!text.isEmpty() && !text.equals(last)) {
                    System.out.printf(
                            "[%5.1f s]%s%n", (System.currentTimeMillis() - started) / 1000.0, text);
                    last = text;
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // a commit in progress: look again next time
            }
        }
    }

    private static void tree(File dir, String indent) {
        File[] children = dir.listFiles(f -> !f.getName().startsWith("."));
        if (children == null) {
            return;
        }
        Arrays.sort(children);
        for (File child : children) {
            if (child.isDirectory()) {
                System.out.println(indent + child.getName() + "/");
                if (!child.getName().equals("_log") && !child.getName().equals("_hot")) {
                    tree(child, indent + "  ");
                } else {
                    System.out.printf(
                            "%s  (%d files)%n",
                            indent, child.list((d, n) -> !n.startsWith(".")).length);
                }
            } else {
                System.out.printf("%s%s (%,d bytes)%n", indent, child.getName(), child.length());
            }
        }
    }

    private static String format(TableDefinition definition, RowData row) {
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < definition.columns().size(); i++) {
            Object value =
                    RowData.createFieldGetter(definition.rowType().getTypeAt(i), i)
                            .getFieldOrNull(row);
            out.append(i == 0 ? "" : ", ")
                    .append(definition.columns().get(i).name())
                    .append('=')
                    .append(value);
        }
        return out.append(')').toString();
    }

    private static long count(TieredTable table, TableState state, ScopeId scope, long now)
            throws IOException {
        long rows = 0;
        try (ChangeCursor cursor =
                ScopeReader.open(table, state, scope, BatchReadSpec.all(), now, false)) {
            while (cursor.next()) {
                rows++;
            }
        }
        return rows;
    }

    private static void reject(String what, Map<String, String> options, List<String> key) {
        try {
            TableDefinition.create(
                    "app",
                    "bad",
                    columns("name STRING NOT NULL", "user_id STRING"),
                    key,
                    options,
                    "local"::equals);
            throw new IllegalStateException("Expected " + what + " to be rejected");
        } catch (TableValidationException e) {
            System.out.printf("  %-22s %s%n", what + ":", e.getMessage());
        }
    }

    private static List<Map.Entry<String, LogicalType>> columns(String... definitions) {
        return Arrays.stream(definitions)
                .map(
                        d ->
                                (Map.Entry<String, LogicalType>)
                                        new AbstractMap.SimpleImmutableEntry<>(
                                                d.substring(0, d.indexOf(' ')),
                                                LogicalTypeParser.parse(
                                                        d.substring(d.indexOf(' ') + 1),
                                                        Demo.class.getClassLoader())))
                .toList();
    }

    private static void deleteRecursively(File file) {
        File[] children = file.listFiles();
        if (children != null) {
            for (File child : children) {
                deleteRecursively(child);
            }
        }
        file.delete();
    }
}
