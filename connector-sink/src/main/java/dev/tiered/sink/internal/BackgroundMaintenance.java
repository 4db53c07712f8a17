package dev.tiered.sink.internal;

import dev.tiered.state.TieredTable;
import dev.tiered.state.maint.Compaction;
import dev.tiered.state.maint.Expiry;
import dev.tiered.state.maint.MaintenanceOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The table maintenance a running sink does by itself (issue: small files and an ever-growing log
 * otherwise need a scheduled {@code CALL}): after a commit, at most once per interval, a background
 * thread compacts the scopes with more than {@code compaction.max-files} batches and expires
 * commits beyond {@code log.retain-*}. Its commits race the sink's like any other writer's and are
 * rebased or refused by the commit protocol; a run that fails is logged and counted, never fails
 * the job. Owned by the committer, which closes it.
 */
@Internal
final class BackgroundMaintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundMaintenance.class);

    private final long intervalMillis;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter runs;
    private final Counter failures;
    private final Counter compactions;
    private final Counter expiredCommits;
    private ExecutorService executor;
    private volatile boolean closed;
    private long lastStartMillis; // 0: the first commit starts a run

    BackgroundMaintenance(long intervalMillis, Clock clock, MetricGroup metrics) {
        this.intervalMillis = intervalMillis;
        this.clock = clock;
        this.runs = metrics.counter("numMaintenanceRuns");
        this.failures = metrics.counter("numMaintenanceFailures");
        this.compactions = metrics.counter("numCompactions");
        this.expiredCommits = metrics.counter("numExpiredCommits");
    }

    /** Starts a run for {@code table} unless one runs or the interval has not passed. */
    void afterCommit(TieredTable table) {
        if (intervalMillis <= 0) {
            return;
        }
        long now = clock.millis();
        if (now - lastStartMillis < intervalMillis || !running.compareAndSet(false, true)) {
            return;
        }
        lastStartMillis = now;
        if (executor == null) {
            executor =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread thread =
                                        new Thread(
                                                r,
                                                "tiered-maintenance-"
                                                        + table.definition().tableId());
                                thread.setDaemon(true);
                                return thread;
                            });
        }
        executor.execute(() -> run(table));
    }

    private void run(TieredTable table) {
        String tableId = table.definition().tableId();
        try {
            MaintenanceOptions options = MaintenanceOptions.of(table.definition());
            List<Compaction.Result> compacted = Compaction.compactIfNeeded(table, options, clock);
            compactions.inc(compacted.size());
            Expiry.Result expired = Expiry.expire(table, options, clock);
            expiredCommits.inc(expired.commitsRemoved());
            runs.inc();
            if (!compacted.isEmpty() || expired.commitsRemoved() > 0) {
                LOG.info(
                        "Maintained {}: {} scopes compacted, {} commits expired ({} data files"
                                + " removed)",
                        tableId,
                        compacted.size(),
                        expired.commitsRemoved(),
                        expired.dataFilesRemoved());
            }
        } catch (Exception e) {
            if (closed) {
                LOG.info("Maintenance of {} stopped with the sink", tableId);
            } else {
                failures.inc();
                LOG.warn("Maintenance of {} failed; retrying after the interval", tableId, e);
            }
        } finally {
            running.set(false);
        }
    }

    /**
     * Stops a run in progress: whatever it wrote and did not commit is left to orphan cleanup, and
     * what it committed is complete (the commit file is the commit point).
     */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("A maintenance run did not stop within 30 s of the sink closing");
            }
        }
    }
}
