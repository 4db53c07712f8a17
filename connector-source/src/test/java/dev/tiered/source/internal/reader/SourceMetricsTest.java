package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ScopeId;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The reader's metrics: splits, rows, bytes, and the freshness lag of changes. */
class SourceMetricsTest {

    /** Keeps every metric registered, by name, whatever the group. */
    private static final class CapturingGroup extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics = new HashMap<>();

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            metrics.put(name, counter);
            return counter;
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new org.apache.flink.metrics.SimpleCounter());
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            metrics.put(name, gauge);
            return gauge;
        }

        @Override
        public MetricGroup addGroup(String name) {
            return this;
        }
    }

    @Test
    void countsSplitsRowsBytesAndTracksFreshness() throws Exception {
        CapturingGroup group = new CapturingGroup();
        SourceMetrics metrics = new SourceMetrics(group);
        Gauge<?> lag = (Gauge<?>) group.metrics.get("freshnessLagMillis");
        assertThat(lag.getValue()).isEqualTo(-1L);

        TieredSplit snapshot =
                TieredSplit.snapshot(ScopeId.SHARED, 3, List.of(), List.of(), 0, 1, 100);
        TieredSplit changes =
                TieredSplit.changes(ScopeId.SHARED, 4, List.of(), System.currentTimeMillis(), 7);
        metrics.splitStarted(snapshot.sizeBytes());
        metrics.splitStarted(changes.sizeBytes());
        TieredRecordEmitter<String> emitter = new TieredRecordEmitter<>(row -> "x", metrics);
        SplitState state = new SplitState(changes);
        emitter.emitRecord(null, new NoOpOutput(), state);
        emitter.emitRecord(null, new NoOpOutput(), state);
        metrics.splitFinished();

        assertThat(((Counter) group.metrics.get("splitsStarted")).getCount()).isEqualTo(2);
        assertThat(((Counter) group.metrics.get("splitsFinished")).getCount()).isEqualTo(1);
        assertThat(((Counter) group.metrics.get("bytesRead")).getCount()).isEqualTo(107);
        assertThat(((Counter) group.metrics.get("rowsRead")).getCount()).isEqualTo(2);
        assertThat(state.toSplit().position()).isEqualTo(2);
        assertThat((Long) lag.getValue()).isBetween(0L, 60_000L);
    }

    private static final class NoOpOutput
            implements org.apache.flink.api.connector.source.SourceOutput<String> {
        @Override
        public void collect(String record) {}

        @Override
        public void collect(String record, long timestamp) {}

        @Override
        public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }
}
