package dev.tiered.sink;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KalamDB's flush-policy scenarios and the three bad-row policies, through real jobs. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FlushPolicyAndBadRowsITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    @TempDir File warehouse;

    private static TableDefinition table(String policy) {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "USER", "FLUSH_POLICY", policy),
                id -> true);
    }

    private static RowData row(long id, String user) {
        return GenericRowData.of(
                id,
                user == null ? null : StringData.fromString(user),
                1L,
                StringData.fromString("m" + id),
                null);
    }

    private JobID run(List<RowData> rows, TieredSink<RowData> sink) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(100);
        env.fromData(rows).returns(RowData.class).sinkTo(sink);
        return env.execute().getJobID();
    }

    /** The sum of the job's metric {@code name} over all subtasks that report it. */
    private static long metric(JobID job, String name) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                METRICS.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            Metric metric = group.getValue().get(name);
            if (metric instanceof Counter counter) {
                sum += counter.getCount();
            } else if (metric instanceof Gauge<?> gauge) {
                sum += ((Number) gauge.getValue()).longValue();
            }
        }
        return sum;
    }

    private TableState state() throws Exception {
        return TieredTable.open(
                        new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages")
                .latestState();
    }

    private int batches(String user) throws Exception {
        TieredTable table =
                TieredTable.open(
                        new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages");
        return table.manifest(table.latestState(), ScopeId.user(user)).segments().size();
    }

    /**
     * 4 rows under rows:5 make no Parquet; the user who reached 5 gets one batch, the other none.
     */
    @Test
    void onlyTheScopeThatReachedTheRowLimitIsFlushed() throws Exception {
        List<RowData> rows = new ArrayList<>();
        for (long i = 0; i < 5; i++) {
            rows.add(row(i, "alice"));
        }
        for (long i = 10; i < 14; i++) {
            rows.add(row(i, "bob"));
        }
        run(
                rows,
                TieredSink.forRowData(warehouse.toURI().toString(), "chat.messages")
                        .withDefinition(table("rows:5"))
                        .withFlushOnEndOfInput(false)
                        .build());
        assertThat(batches("alice")).isEqualTo(1);
        assertThat(batches("bob")).isZero();
        assertThat(
                        new File(warehouse, "chat/messages/bob")
                                .listFiles(f -> f.getName().endsWith(".parquet")))
                .isNullOrEmpty();
        assertThat(state().hotSegments()).as("bob's rows stay hot").hasSize(1);
    }

    @Test
    void skippedRowsAreCountedAndGoodRowsKept() throws Exception {
        JobID job =
                run(
                        List.of(row(1, "alice"), row(2, null), row(3, "_evil"), row(4, "bob")),
                        TieredSink.forRowData(warehouse.toURI().toString(), "chat.messages")
                                .withDefinition(table("rows:100"))
                                .withBadRows(SinkOptions.BadRowsMode.SKIP)
                                .build());
        assertThat(state().scopeIds())
                .containsExactlyInAnyOrder(ScopeId.user("alice"), ScopeId.user("bob"));
        assertThat(metric(job, "numRowsRejected")).isEqualTo(2);
        assertThat(metric(job, "numRecordsSend")).isEqualTo(2);
        assertThat(metric(job, "numFlushes")).as("both users at end of input").isEqualTo(2);
        assertThat(metric(job, "numFlushedBytes")).isPositive();
        assertThat(metric(job, "numCommits")).isPositive();
    }

    @Test
    void deadLetteredRowsCarryTheReason() throws Exception {
        run(
                List.of(row(1, "alice"), row(2, null)),
                TieredSink.forRowData(warehouse.toURI().toString(), "chat.messages")
                        .withDefinition(table("rows:100"))
                        .withBadRows(SinkOptions.BadRowsMode.DEAD_LETTER)
                        .build());
        File[] rejected = new File(warehouse, "chat/messages/_rejected").listFiles();
        assertThat(rejected).hasSize(1);
        assertThat(Files.readString(rejected[0].toPath()))
                .contains("\"table\":\"chat.messages\"")
                .contains("\"column\":\"user_id\"")
                .contains("\"reason\":\"is the user id and is null\"")
                .contains("\"id\":\"2\"");
        assertThat(state().scopeIds()).containsExactly(ScopeId.user("alice"));
    }

    @Test
    void failingRowsFailTheJobNamingTableColumnAndReason() {
        assertThatThrownBy(
                        () ->
                                run(
                                        List.of(row(1, "alice"), row(2, "a/b")),
                                        TieredSink.forRowData(
                                                        warehouse.toURI().toString(),
                                                        "chat.messages")
                                                .withDefinition(table("rows:100"))
                                                .build()))
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowableWithMessage(
                                                        e,
                                                        "Cannot write row to table chat.messages: column 'user_id'"
                                                                + " holds an invalid user id: it contains '/'"))
                                        .isPresent());
    }
}
