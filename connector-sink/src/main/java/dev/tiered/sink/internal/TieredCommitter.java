package dev.tiered.sink.internal;

import dev.tiered.state.CommitStateUnknownException;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.commit.TableCommitter;
import dev.tiered.state.meta.CommitDelta;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Commits each checkpoint's merged delta as one table commit. Runs on committer subtask 0 (the
 * aggregator routes everything there). A recommit after failover of a checkpoint already in the log
 * is answered with {@code signalAlreadyCommitted()}: the log records (writer, checkpoint).
 *
 * <p>Outcomes: an I/O failure is retried later (Flink's {@code sink.committer.retries}); an
 * unknowable outcome or a broken table fails the job, whose restart re-commits idempotently.
 */
@Internal
public final class TieredCommitter implements Committer<CommitDelta> {
    private static final Logger LOG = LoggerFactory.getLogger(TieredCommitter.class);

    private final TableHandle handle;
    private final Counter commits;
    private final Counter alreadyCommitted;
    private volatile long lastCommitMillis;
    private TableCommitter committer;

    public TieredCommitter(TableHandle handle, SinkCommitterMetricGroup metrics) {
        this.handle = handle;
        this.commits = metrics.counter("numCommits");
        this.alreadyCommitted = metrics.counter("numAlreadyCommitted");
        metrics.gauge("lastCommitDurationMs", () -> lastCommitMillis);
    }

    @Override
    public void commit(Collection<CommitRequest<CommitDelta>> requests)
            throws IOException, InterruptedException {
        List<CommitRequest<CommitDelta>> ordered = new ArrayList<>(requests);
        ordered.sort(Comparator.comparingLong(r -> r.getCommittable().checkpointId()));
        for (CommitRequest<CommitDelta> request : ordered) {
            CommitDelta delta = request.getCommittable();
            long started = System.nanoTime();
            try {
                TableCommitter.CommitResult result =
                        committer()
                                .commit(
                                        PendingCommit.of(delta),
                                        handle.definition().schemaVersion());
                lastCommitMillis = (System.nanoTime() - started) / 1_000_000;
                if (result.alreadyCommitted()) {
                    alreadyCommitted.inc();
                    request.signalAlreadyCommitted();
                } else {
                    commits.inc();
                }
            } catch (CommitStateUnknownException e) {
                request.signalFailedWithUnknownReason(e);
            } catch (TieredException e) {
                LOG.error(
                        "Cannot commit checkpoint {} to {}",
                        delta.checkpointId(),
                        handle.tableId(),
                        e);
                request.signalFailedWithUnknownReason(e);
            } catch (IOException e) {
                LOG.warn(
                        "Commit of checkpoint {} to {} failed; retrying",
                        delta.checkpointId(),
                        handle.tableId(),
                        e);
                request.retryLater();
            }
        }
    }

    private TableCommitter committer() throws IOException {
        if (committer == null) {
            TieredTable table = handle.open();
            committer = table.committer(Clock.systemUTC());
        }
        return committer;
    }

    @Override
    public void close() {}
}
