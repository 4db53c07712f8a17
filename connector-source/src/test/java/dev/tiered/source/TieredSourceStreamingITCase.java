package dev.tiered.source;

import dev.tiered.source.testing.Compaction;
import dev.tiered.source.testing.EventSink;
import dev.tiered.source.testing.Messages;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streaming reads beside writing jobs: every committed change is emitted once, as +I/+U/-D, across
 * flushes and a compaction (which emit nothing); a job restarted from a savepoint continues without
 * loss or repetition.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TieredSourceStreamingITCase {
    /** Keys of the end markers, one per user, written after everything else. */
    private static final long MARKER = 1_000_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(6)
                            .build());

    @TempDir File warehouse;
    @TempDir File savepoints;

    /** Flushes every 50 rows of a user: the writer flushes many times while the reader reads. */
    private final TableDefinition definition = Messages.definition("rows:50");

    private final List<JobClient> jobs = new ArrayList<>();

    @BeforeEach
    void clear() {
        EventSink.clear();
    }

    @AfterEach
    void cancelJobs() {
        for (JobClient job : jobs) {
            job.cancel();
        }
    }

    private JobClient startReader(TieredSourceBuilder<String> source, Configuration conf)
            throws Exception {
        return startReader(source, conf, 2);
    }

    private JobClient startReader(
            TieredSourceBuilder<String> source, Configuration conf, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "tiered")
                .sinkTo(new EventSink());
        JobClient job = env.executeAsync("streaming read");
        jobs.add(job);
        return job;
    }

    private TieredSourceBuilder<String> source() {
        return source(false);
    }

    /**
     * @param slow emit about one row per millisecond, so that a savepoint finds splits in the
     *     middle of being read
     */
    private TieredSourceBuilder<String> source(boolean slow) {
        return TieredSource.forTable(
                        warehouse.toURI().toString(),
                        Messages.TABLE,
                        row -> {
                            if (slow) {
                                Thread.sleep(1);
                            }
                            return row.getRowKind().shortString()
                                    + ":"
                                    + row.getLong(0)
                                    + ":"
                                    + (row.getRowKind() == RowKind.DELETE
                                            ? ""
                                            : row.getString(1).toString());
                        },
                        Types.STRING)
                .selectColumns("id", "content")
                .streaming()
                .discoveryInterval(Duration.ofMillis(50));
    }

    /** Events per key, in order; fails on an event that is not "kind:id:content". */
    private static Map<Long, List<String>> byKey(List<String> events) {
        Map<Long, List<String>> byKey = new TreeMap<>();
        for (String event : events) {
            String[] parts = event.split(":", 3);
            byKey.computeIfAbsent(Long.parseLong(parts[1]), k -> new ArrayList<>())
                    .add(parts[0] + ":" + parts[2]);
        }
        return byKey;
    }

    /** Compares per key, naming the keys whose events differ. */
    private static void assertSameEvents(
            Map<Long, List<String>> actual, Map<Long, List<String>> expected) {
        Map<Long, String> differences = new TreeMap<>();
        java.util.Set<Long> keys = new java.util.TreeSet<>(actual.keySet());
        keys.addAll(expected.keySet());
        for (Long key : keys) {
            if (!java.util.Objects.equals(actual.get(key), expected.get(key))) {
                differences.put(key, actual.get(key) + " instead of " + expected.get(key));
            }
        }
        assertThat(differences).as("keys whose events differ").isEmpty();
    }

    /** Appends the events Messages.Changes of {@code round} produce on {@code model}. */
    private static void expect(
            Map<Long, List<String>> expected,
            Map<Long, String> model,
            int round,
            long deleteRemainder,
            long from,
            long to) {
        for (long i = from; i < to; i++) {
            List<String> events = expected.computeIfAbsent(i, k -> new ArrayList<>());
            events.add((model.containsKey(i) ? "+U:" : "+I:") + Messages.content(round, i));
            model.put(i, Messages.content(round, i));
            if (i % 10 == deleteRemainder) {
                events.add("-D:");
                model.remove(i);
            }
        }
    }

    private static void expectSnapshot(Map<Long, List<String>> expected, Map<Long, String> model) {
        model.forEach(
                (id, content) ->
                        expected.computeIfAbsent(id, k -> new ArrayList<>()).add("+I:" + content));
    }

    /** Writes one marker per user and waits until the reader emitted all of them. */
    private void writeMarkersAndAwait(int round, Map<Long, List<String>> expected)
            throws Exception {
        Messages.write(warehouse, definition, round, -1, MARKER, MARKER + Messages.USERS, true);
        for (long i = MARKER; i < MARKER + Messages.USERS; i++) {
            expected.put(i, new ArrayList<>(List.of("+I:" + Messages.content(round, i))));
        }
        CommonTestUtils.waitUntilCondition(
                () ->
                        byKey(EventSink.events()).keySet().stream()
                                        .filter(id -> id >= MARKER)
                                        .count()
                                >= Messages.USERS,
                50L);
    }

    @Test
    void streamingReadSeesEveryChangeOnceBesideAWriter() throws Exception {
        Map<Long, String> model = new TreeMap<>();
        Map<Long, List<String>> expected = new TreeMap<>();
        Messages.write(warehouse, definition, 0, 3, 0, 500, true);
        Messages.apply(model, 0, 3, 0, 500);
        expectSnapshot(expected, model);

        startReader(source(), new Configuration());
        CommonTestUtils.waitUntilCondition(() -> EventSink.size() >= model.size(), 50L);

        // Two writers one after the other, each flushing many times (rows:50 per user).
        Messages.write(warehouse, definition, 1, 7, 250, 1000, true, true);
        expect(expected, model, 1, 7, 250, 1000);
        TieredTable table =
                TieredTable.open(
                        new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages");
        assertThat(Compaction.compactAll(table, ScopeId.user("user0"))).isTrue();
        Messages.write(warehouse, definition, 2, 1, 0, 300, false, true);
        expect(expected, model, 2, 1, 0, 300);
        writeMarkersAndAwait(3, expected);

        assertSameEvents(byKey(EventSink.events()), expected);
        long flushes = 0;
        for (long c = 1; c <= table.log().latestCommit(); c++) {
            if (table.log().read(c).operation().equals("flush")) {
                flushes++;
            }
        }
        assertThat(flushes).as("the writers flushed while the reader followed").isGreaterThan(4);
    }

    @Test
    void latestModeReadsOnlyNewChanges(@InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        Messages.write(warehouse, definition, 0, 3, 0, 100, true);
        Map<Long, String> model = new TreeMap<>();
        Messages.apply(model, 0, 3, 0, 100);
        JobClient job =
                startReader(source().scanMode(SourceOptions.ScanMode.LATEST), new Configuration());
        CommonTestUtils.waitForAllTaskRunning(miniCluster, job.getJobID(), false);
        // The enumerator resolves 'latest' when it starts, before its first checkpoint.
        CommonTestUtils.waitForCheckpoint(job.getJobID(), miniCluster, 1);

        Map<Long, List<String>> expected = new TreeMap<>();
        Messages.write(warehouse, definition, 1, 5, 50, 150, true);
        expect(expected, model, 1, 5, 50, 150);
        writeMarkersAndAwait(2, expected);
        assertSameEvents(byKey(EventSink.events()), expected);
    }

    @Test
    void fromCommitModeReadsTheChangesAfterThatCommit() throws Exception {
        Messages.write(warehouse, definition, 0, 3, 0, 100, true);
        long start =
                TieredTable.open(
                                new FlinkFileIO(),
                                Path.fromLocalFile(warehouse),
                                "chat",
                                "messages")
                        .log()
                        .latestCommit();
        Map<Long, String> model = new TreeMap<>();
        Messages.apply(model, 0, 3, 0, 100);
        Map<Long, List<String>> expected = new TreeMap<>();
        Messages.write(warehouse, definition, 1, 5, 50, 150, true);
        expect(expected, model, 1, 5, 50, 150);

        startReader(
                source().scanMode(SourceOptions.ScanMode.FROM_COMMIT).atCommit(start),
                new Configuration());
        writeMarkersAndAwait(2, expected);
        assertSameEvents(byKey(EventSink.events()), expected);
    }

    @Test
    void restartFromSavepointWithAnotherParallelismContinuesWithoutLossOrRepetition()
            throws Exception {
        Map<Long, String> model = new TreeMap<>();
        Map<Long, List<String>> expected = new TreeMap<>();
        Messages.write(warehouse, definition, 0, 3, 0, 300, true);
        Messages.apply(model, 0, 3, 0, 300);
        expectSnapshot(expected, model);

        JobClient first = startReader(source(true), new Configuration());
        CompletableFuture<Void> writing =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                Messages.write(warehouse, definition, 1, 7, 100, 800, true, true);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
        expect(expected, model, 1, 7, 100, 800);
        CommonTestUtils.waitUntilCondition(() -> EventSink.size() > 400, 50L);
        String savepoint =
                first.stopWithSavepoint(
                                false, savepoints.toURI().toString(), SavepointFormatType.CANONICAL)
                        .get();
        writing.get();
        int beforeRestart = EventSink.size();

        Messages.write(warehouse, definition, 2, 9, 0, 200, true);
        expect(expected, model, 2, 9, 0, 200);
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        // Rescaled: every scope's splits, in flight at the savepoint or not, go to its new reader.
        JobClient second = startReader(source(true), restore, 3);
        writeMarkersAndAwait(3, expected);

        assertSameEvents(byKey(EventSink.events()), expected);
        assertThat(beforeRestart).isLessThan(EventSink.size());
        assertThat(second.getJobID()).isNotEqualTo(first.getJobID());
    }
}
