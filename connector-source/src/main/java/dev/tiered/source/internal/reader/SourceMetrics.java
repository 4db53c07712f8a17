package dev.tiered.source.internal.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The reader's metrics, in its operator's metric group under {@code tiered}: splits started and
 * finished, rows read, bytes of the files of started splits, and the freshness lag (now minus the
 * commit time of the newest change emitted, -1 before the first change).
 */
@Internal
public final class SourceMetrics {
    public static final String GROUP = "tiered";

    private final Counter splitsStarted;
    private final Counter splitsFinished;
    private final Counter rowsRead;
    private final Counter bytesRead;
    private volatile long newestCommitMillis = -1;

    public SourceMetrics(MetricGroup parent) {
        MetricGroup group = parent.addGroup(GROUP);
        this.splitsStarted = group.counter("splitsStarted", new ThreadSafeSimpleCounter());
        this.splitsFinished = group.counter("splitsFinished", new ThreadSafeSimpleCounter());
        this.rowsRead = group.counter("rowsRead");
        this.bytesRead = group.counter("bytesRead", new ThreadSafeSimpleCounter());
        group.<Long, org.apache.flink.metrics.Gauge<Long>>gauge(
                "freshnessLagMillis",
                () ->
                        newestCommitMillis < 0
                                ? -1L
                                : Math.max(0, System.currentTimeMillis() - newestCommitMillis));
    }

    public void splitStarted(long sizeBytes) {
        splitsStarted.inc();
        bytesRead.inc(sizeBytes);
    }

    void splitFinished() {
        splitsFinished.inc();
    }

    /** Per emitted row (main thread): a counter and, for changes, the commit time. */
    void rowEmitted(long commitMillis, boolean change) {
        rowsRead.inc();
        if (change && commitMillis > newestCommitMillis) {
            newestCommitMillis = commitMillis;
        }
    }
}
