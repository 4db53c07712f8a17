package dev.tiered.sink.internal;

import dev.tiered.state.CommitStateUnknownException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentFile;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.commit.TableCommitter;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.TableState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
    private final BackgroundMaintenance maintenance;
    private final Counter commits;
    private final Counter alreadyCommitted;
    private volatile long lastCommitMillis;
    private TableCommitter committer;
    private TieredTable table;

    public TieredCommitter(
            TableHandle handle, SinkConfig config, SinkCommitterMetricGroup metrics) {
        this.handle = handle;
        this.maintenance =
                // the clock of the commits' timestamps, which log.retain-time is measured against
                new BackgroundMaintenance(
                        config.maintenanceIntervalMillis(), Clock.systemUTC(), metrics);
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
                                        PendingCommit.of(withoutErasedScopes(delta)),
                                        handle.definition().schemaVersion());
                lastCommitMillis = (System.nanoTime() - started) / 1_000_000;
                if (result.alreadyCommitted()) {
                    alreadyCommitted.inc();
                    request.signalAlreadyCommitted();
                } else {
                    commits.inc();
                    maintenance.afterCommit(table);
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
            table = handle.open();
            committer = table.committer(Clock.systemUTC());
        }
        return committer;
    }

    /**
     * The delta without the scopes erased after its writers prepared it ({@code erase_user}
     * committed between their checkpoint barrier and this commit): their flushes are left out (the
     * batches become orphans) and hot segments holding them are copied without them. A scope that
     * was in the table at the writers' basis commit and is gone now was erased; only an erase
     * removes scopes. Writers drop the same scopes from their hot stores at their next checkpoint.
     */
    private CommitDelta withoutErasedScopes(CommitDelta delta) throws IOException {
        if (delta.basisCommit() < 0 || handle.definition().type() != TableType.USER) {
            return delta;
        }
        TableState now = table.latestState();
        if (now.commit() <= delta.basisCommit()
                || now.isCommitted(delta.writerId(), delta.checkpointId())) {
            return delta;
        }
        // Only a scope of this delta that the table does not have now can have been erased.
        Set<ScopeId> erased = new HashSet<>();
        delta.hotSegments().forEach(ref -> erased.addAll(ref.scopes()));
        delta.flushes().forEach(flush -> erased.add(flush.scope()));
        erased.removeAll(now.liveScopeIds());
        if (erased.isEmpty()) {
            return delta;
        }
        try {
            erased.retainAll(table.stateAt(delta.basisCommit()).liveScopeIds());
        } catch (FileNotFoundException e) {
            LOG.warn(
                    "Commit {} of {} expired before checkpoint {} was committed; cannot check it"
                            + " for erased users",
                    delta.basisCommit(),
                    handle.tableId(),
                    delta.checkpointId());
            return delta;
        }
        if (erased.isEmpty()) {
            return delta; // new scopes, not erased ones
        }
        List<HotSegmentRef> hot = new ArrayList<>(delta.hotSegments().size());
        for (HotSegmentRef ref : delta.hotSegments()) {
            if (Collections.disjoint(ref.scopes(), erased)) {
                hot.add(ref);
                continue;
            }
            Path source = new Path(table.layout().hotDir(), ref.path());
            Path target =
                    new Path(
                            table.layout().hotDir(),
                            ref.path().replace(".avro", "") + "-e" + now.commit() + ".avro");
            HotSegmentFile copy =
                    Segments.copyHotSegment(
                            handle.definition(), source, target, s -> !erased.contains(s));
            if (copy != null) {
                hot.add(Segments.ref(copy, ref.writerId(), ref.checkpointId()));
            }
        }
        List<CommitDelta.ScopeFlush> flushes = new ArrayList<>();
        for (CommitDelta.ScopeFlush flush : delta.flushes()) {
            if (!erased.contains(flush.scope())) {
                flushes.add(flush);
            }
        }
        LOG.info(
                "Checkpoint {} of {}: left out {} scope(s) erased after its writers prepared it",
                delta.checkpointId(),
                handle.tableId(),
                erased.size());
        return delta.withChanges(hot, flushes);
    }

    @Override
    public void close() throws InterruptedException {
        maintenance.close();
    }
}
