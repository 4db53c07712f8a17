package dev.tiered.sink;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running sink maintains its table by itself ({@code sink.maintenance.interval}): a scope that
 * gets a batch at every checkpoint is compacted past {@code compaction.max-files}, and commits
 * beyond {@code log.retain-*} expire with the files only they referenced — while the job writes,
 * and without changing what the table holds.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SinkMaintenanceITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();
    private static final int ROWS = 60;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    @TempDir File warehouse;

    private static RowData row(long id) {
        return GenericRowData.of(
                id % 20, StringData.fromString("alice"), 1L, StringData.fromString("m" + id), null);
    }

    private static long metric(JobID job, String name) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                METRICS.getMetricsByGroup().entrySet()) {
            if (job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))
                    && group.getValue().get(name) instanceof Counter counter) {
                sum += counter.getCount();
            }
        }
        return sum;
    }

    @Test
    void aRunningSinkCompactsAndExpiresItsTable() throws Exception {
        TableDefinition definition =
                TableDefinition.create(
                        "chat",
                        "messages",
                        TestTables.messageColumns(),
                        List.of("id"),
                        Map.of(
                                "TYPE", "USER",
                                "FLUSH_POLICY", "rows:1",
                                "compaction.max-files", "3",
                                "log.retain-commits", "4",
                                "log.retain-time", "0 s"),
                        id -> true);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(50);
        // two rows per checkpoint: alice gets a batch at (nearly) every checkpoint
        env.fromSource(
                        new DataGeneratorSource<>(
                                i -> i, ROWS, RateLimiterStrategy.perCheckpoint(2), Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "ids")
                .map(SinkMaintenanceITCase::row)
                .returns(RowData.class)
                .sinkTo(
                        TieredSink.forRowData(warehouse.toURI().toString(), "chat.messages")
                                .withDefinition(definition)
                                .withMaintenanceInterval(Duration.ofMillis(1))
                                .build());
        JobID job = env.execute().getJobID();

        TieredTable table =
                TieredTable.open(
                        new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages");
        TableState state = table.latestState();
        Map<Long, String> rows = new TreeMap<>();
        try (ChangeCursor cursor =
                ScopeReader.open(
                        table, state, ScopeId.user("alice"), BatchReadSpec.all(), 0, false)) {
            while (cursor.next()) {
                rows.put(cursor.row().getLong(0), cursor.row().getString(3).toString());
            }
        }
        Map<Long, String> expected = new TreeMap<>();
        for (long i = 0; i < ROWS; i++) {
            expected.put(i % 20, "m" + i);
        }
        assertThat(rows).as("the table").isEqualTo(expected);

        long flushes = metric(job, "numFlushes");
        assertThat(metric(job, "numCompactions")).as("compactions").isPositive();
        assertThat(metric(job, "numExpiredCommits")).as("expired commits").isPositive();
        assertThat(metric(job, "numMaintenanceFailures"))
                .as("failed runs (see target/test.log)")
                .isZero();
        File[] batches =
                new File(warehouse, "chat/messages/alice")
                        .listFiles(f -> f.getName().endsWith(".parquet"));
        assertThat(batches)
                .as("compacted inputs of expired commits are deleted (%d flushes)", flushes)
                .hasSizeLessThan((int) flushes);
        assertThat(table.log().listCommits())
                .as("commits beyond log.retain-commits expired")
                .hasSizeLessThan((int) state.commit());
    }
}
