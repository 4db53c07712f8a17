package dev.tiered.source.internal.enumerator;

import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.split.EnumState;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ScopeId;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plans and hands out splits, bounded and unbounded.
 *
 * <p>The snapshot at the pinned commit is planned in parts of {@value #SCOPES_PER_PART} scopes
 * (each scope's manifest is read): the splits of the first part go out while the rest is planned,
 * so a USER table with many users is read from the start instead of after every manifest was read.
 *
 * <p>Bounded: readers pull splits, any split to any reader, and each gets "no more splits" when
 * none is left (readers without a split too). A request is answered with up to {@value
 * #MAX_SPLITS_PER_REQUEST} splits while many are pending (a USER table has a split per user: one
 * round trip per small split would leave the reader idle for each), and with fewer towards the end,
 * so that the readers finish together.
 *
 * <p>Unbounded: plans the snapshot (scan mode {@code full}), then follows the commit log every
 * discovery interval and plans a changes split per (commit, scope). Splits are pushed to the reader
 * that owns their scope (a hash of the scope over the parallelism), in commit order: each reader
 * reads its splits in the order they arrive, so the changes of one key reach downstream in commit
 * order. Planning I/O runs through {@code callAsync}; results are applied on the coordinator
 * thread, and a result planned from a stale position is dropped.
 */
@Internal
public final class TieredEnumerator implements SplitEnumerator<TieredSplit, EnumState> {
    private static final Logger LOG = LoggerFactory.getLogger(TieredEnumerator.class);

    /** Scopes whose snapshot splits are planned in one call of the worker thread. */
    static final int SCOPES_PER_PART = 64;

    /** The most splits a bounded reader's request is answered with. */
    static final int MAX_SPLITS_PER_REQUEST = 16;

    /** Planning I/O, off the coordinator thread; a seam for tests. */
    public interface Planning {
        long startCommit() throws IOException;

        boolean readsSnapshot();

        /** The scopes with data at {@code commit}, in order. */
        List<ScopeId> snapshotScopes(long commit) throws IOException;

        /** The snapshot splits of these scopes at {@code commit}. */
        List<TieredSplit> snapshot(long commit, List<ScopeId> scopes, long nowMillis)
                throws IOException;

        SplitPlanner.Discovery discover(long from) throws IOException;
    }

    /** Where a scan starts, and the scopes of its snapshot (none if it reads no snapshot). */
    private record Start(long commit, List<ScopeId> scopes) {}

    private final SplitEnumeratorContext<TieredSplit> context;
    private final ReadConfig config;
    private final Planning planning;
    private final TreeSet<TieredSplit> pending = new TreeSet<>();
    private volatile long plannedThrough;
    // Coordinator thread only: the snapshot being planned (-1 if none) and its unplanned scopes.
    private long snapshotCommit;
    private final ArrayDeque<ScopeId> unplanned = new ArrayDeque<>();
    // Coordinator thread only: bounded readers that asked while no split was pending.
    private final Set<Integer> awaiting = new TreeSet<>();

    public TieredEnumerator(
            SplitEnumeratorContext<TieredSplit> context,
            ReadConfig config,
            Planning planning,
            EnumState restored) {
        this.context = context;
        this.config = config;
        this.planning = planning;
        this.plannedThrough = restored.plannedThrough();
        this.pending.addAll(restored.pending());
        this.snapshotCommit = restored.snapshotCommit();
        this.unplanned.addAll(restored.unplannedScopes());
    }

    @Override
    public void start() {
        if (snapshotCommit >= 0) {
            planSnapshotPart(); // restored while the snapshot was being planned
        } else if (plannedThrough < 0) {
            context.callAsync(this::planStart, this::applyStart);
        }
        if (!config.isBounded()) {
            long interval = Math.max(1, config.discoveryIntervalMillis());
            context.callAsync(this::planNext, this::applyDiscovery, 0, interval);
        }
    }

    /** The start position and, when the scan reads one, the scopes of the snapshot. */
    private Start planStart() throws IOException {
        long commit = planning.startCommit();
        return new Start(
                commit, planning.readsSnapshot() ? planning.snapshotScopes(commit) : List.of());
    }

    private void applyStart(Start start, Throwable error) {
        failIfPlanningFailed(error);
        LOG.info(
                "Tiered source of {} starts at commit {} with a snapshot of {} scopes",
                config.definition().tableId(),
                start.commit(),
                start.scopes().size());
        if (start.scopes().isEmpty()) {
            plannedThrough = start.commit();
            assignPending();
            return;
        }
        snapshotCommit = start.commit();
        unplanned.addAll(start.scopes());
        planSnapshotPart();
    }

    /**
     * Fails the job (through the coordinator) with an error of the planning on the worker thread.
     */
    private void failIfPlanningFailed(Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException(
                    "Cannot plan splits of " + config.definition().tableId(), error);
        }
    }

    /** Plans the splits of the next part of the snapshot's scopes on the worker thread. */
    private void planSnapshotPart() {
        long commit = snapshotCommit;
        List<ScopeId> part = new ArrayList<>(Math.min(SCOPES_PER_PART, unplanned.size()));
        Iterator<ScopeId> scopes = unplanned.iterator();
        while (part.size() < SCOPES_PER_PART && scopes.hasNext()) {
            part.add(scopes.next());
        }
        context.callAsync(
                () -> planning.snapshot(commit, part, System.currentTimeMillis()),
                (splits, error) -> applySnapshotPart(commit, part.size(), splits, error));
    }

    private void applySnapshotPart(
            long commit, int scopes, List<TieredSplit> splits, Throwable error) {
        failIfPlanningFailed(error);
        if (commit != snapshotCommit) {
            return;
        }
        for (int i = 0; i < scopes; i++) {
            unplanned.pollFirst();
        }
        pending.addAll(splits);
        if (unplanned.isEmpty()) {
            snapshotCommit = -1;
            plannedThrough = commit; // discovery of later commits may begin
            LOG.info(
                    "Planned the snapshot of {} at commit {}",
                    config.definition().tableId(),
                    commit);
        } else {
            planSnapshotPart();
        }
        assignPending();
    }

    /** Unbounded: the commits after the planned ones, once the start (and snapshot) is planned. */
    private SplitPlanner.Discovery planNext() throws IOException {
        long from = plannedThrough;
        return from < 0 ? null : planning.discover(from);
    }

    private void applyDiscovery(SplitPlanner.Discovery discovery, Throwable error) {
        failIfPlanningFailed(error);
        if (discovery == null || discovery.from() != plannedThrough) {
            return; // nothing planned yet, or from a position another round has moved past
        }
        pending.addAll(discovery.splits());
        plannedThrough = discovery.through();
        if (!discovery.splits().isEmpty()) {
            LOG.debug(
                    "Planned {} splits of {} through commit {}",
                    discovery.splits().size(),
                    config.definition().tableId(),
                    discovery.through());
        }
        assignPending();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        if (config.isBounded()) {
            assignOneTo(subtaskId);
        }
    }

    @Override
    public void addSplitsBack(List<TieredSplit> splits, int subtaskId) {
        pending.addAll(splits);
        if (!config.isBounded()) {
            assignPending();
        }
    }

    /**
     * A reader registered. A recovered reader reports the splits of its state here (the source
     * supports split reassignment on recovery): they go back into the pending splits, so that every
     * split of a scope is assigned to that scope's reader again, in commit order.
     */
    @Override
    public void addReader(int subtaskId) {
        ReaderInfo reader = context.registeredReaders().get(subtaskId);
        List<TieredSplit> reported =
                reader == null ? null : reader.getReportedSplitsOnRegistration();
        if (reported != null && !reported.isEmpty()) {
            LOG.info(
                    "Reader {} of {} recovered with {} splits; reassigning them",
                    subtaskId,
                    config.definition().tableId(),
                    reported.size());
            pending.addAll(reported);
        }
        if (!config.isBounded()) {
            assignPending();
        }
        // Bounded readers ask for splits themselves.
    }

    @Override
    public EnumState snapshotState(long checkpointId) {
        return new EnumState(
                plannedThrough,
                new ArrayList<>(pending),
                snapshotCommit,
                new ArrayList<>(unplanned));
    }

    @Override
    public void close() {}

    /**
     * Bounded: the next splits to a reader that asks (a share of at most half of what is pending
     * per reader), the end if planning is done, or else the reader waits for the next planned part.
     */
    private void assignOneTo(int subtaskId) {
        awaiting.remove(subtaskId);
        if (!context.registeredReaders().containsKey(subtaskId)) {
            return;
        }
        if (!pending.isEmpty()) {
            int readers = Math.max(1, context.currentParallelism());
            int count =
                    Math.max(1, Math.min(MAX_SPLITS_PER_REQUEST, pending.size() / (2 * readers)));
            List<TieredSplit> splits = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                splits.add(pending.pollFirst());
            }
            context.assignSplits(new SplitsAssignment<>(Map.of(subtaskId, splits)));
        } else if (plannedThrough >= 0) {
            context.signalNoMoreSplits(subtaskId);
        } else {
            awaiting.add(subtaskId); // served when the next part of the snapshot is planned
        }
    }

    private void assignPending() {
        if (config.isBounded()) {
            for (int reader : new ArrayList<>(awaiting)) {
                assignOneTo(reader);
            }
            return;
        }
        int parallelism = context.currentParallelism();
        if (context.registeredReaders().size() < parallelism) {
            // A reader that has not registered yet may report splits of its state (recovery,
            // rescale) that precede pending ones of the same scope: assign nothing until every
            // reader is there, so that each scope's splits go out in commit order.
            return;
        }
        Iterator<TieredSplit> it = pending.iterator();
        while (it.hasNext()) {
            TieredSplit split = it.next();
            int owner = ownerOf(split, parallelism);
            if (context.registeredReaders().containsKey(owner)) {
                context.assignSplit(split, owner);
                it.remove();
            }
        }
    }

    /** The reader that reads every split of a scope. */
    static int ownerOf(TieredSplit split, int parallelism) {
        return Math.floorMod(Objects.hashCode(split.userId()), parallelism);
    }
}
