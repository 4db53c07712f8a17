package dev.tiered.state.meta;

import dev.tiered.state.CommitConflictException;
import dev.tiered.state.ScopeId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What writers produced for one checkpoint, before it is committed: hot segments and scope flushes.
 * The sink's writers emit one per checkpoint; the aggregator merges them into one per checkpoint
 * for the committer, which turns it into a commit.
 *
 * @param writerId the committing identity (job and sink); with {@code checkpointId} it makes a
 *     recommit after failover a no-op
 */
public record CommitDelta(
        String writerId,
        long checkpointId,
        List<HotSegmentRef> hotSegments,
        List<ScopeFlush> flushes,
        long basisCommit) {

    /**
     * The batches a flush wrote for one scope, and the bound it flushed the scope through.
     *
     * @param storage the base URI of the storage the batches were written to when the flush creates
     *     the scope outside the table's own storage (see {@link ScopeChange#storage()}); null
     *     otherwise
     */
    public record ScopeFlush(
            ScopeId scope, List<SegmentEntry> added, long flushedThroughSeq, String storage) {
        public ScopeFlush {
            Objects.requireNonNull(scope, "scope");
            added = List.copyOf(added);
        }

        /** A flush into the table's own storage or into a scope that exists. */
        public ScopeFlush(ScopeId scope, List<SegmentEntry> added, long flushedThroughSeq) {
            this(scope, added, flushedThroughSeq, null);
        }
    }

    public CommitDelta {
        Objects.requireNonNull(writerId, "writerId");
        hotSegments = List.copyOf(hotSegments);
        flushes = List.copyOf(flushes);
    }

    /** A delta whose writer's view of the log is unknown ({@code basisCommit} -1). */
    public CommitDelta(
            String writerId,
            long checkpointId,
            List<HotSegmentRef> hotSegments,
            List<ScopeFlush> flushes) {
        this(writerId, checkpointId, hotSegments, flushes, -1);
    }

    /** This delta with other hot segments and flushes (the same writer, checkpoint and basis). */
    public CommitDelta withChanges(List<HotSegmentRef> hot, List<ScopeFlush> keptFlushes) {
        return new CommitDelta(writerId, checkpointId, hot, keptFlushes, basisCommit);
    }

    public boolean isEmpty() {
        return hotSegments.isEmpty() && flushes.isEmpty();
    }

    /** The highest {@code _seq} in the delta's data. */
    public long maxSeq() {
        long max = 0;
        for (HotSegmentRef hot : hotSegments) {
            max = Math.max(max, hot.maxSeq());
        }
        for (ScopeFlush flush : flushes) {
            max = Math.max(max, flush.flushedThroughSeq());
            for (SegmentEntry segment : flush.added()) {
                max = Math.max(max, segment.maxSeq());
            }
        }
        return max;
    }

    /**
     * The union of deltas of one checkpoint, under one writer id. Flushes of the same scope (two
     * writers during a rescale hand-over) are merged: batches concatenated, the higher bound kept.
     */
    public static CommitDelta merge(String writerId, long checkpointId, List<CommitDelta> deltas) {
        List<HotSegmentRef> hot = new ArrayList<>();
        Map<ScopeId, ScopeFlush> flushes = new LinkedHashMap<>();
        for (CommitDelta delta : deltas) {
            hot.addAll(delta.hotSegments());
            for (ScopeFlush flush : delta.flushes()) {
                flushes.merge(
                        flush.scope(),
                        flush,
                        (a, b) -> {
                            if (a.storage() != null
                                    && b.storage() != null
                                    && !a.storage().equals(b.storage())) {
                                throw new CommitConflictException(
                                        "Cannot merge the flushes of scope "
                                                + a.scope()
                                                + ": one writer created it in "
                                                + a.storage()
                                                + ", another in "
                                                + b.storage());
                            }
                            List<SegmentEntry> added = new ArrayList<>(a.added());
                            added.addAll(b.added());
                            return new ScopeFlush(
                                    a.scope(),
                                    added,
                                    Math.max(a.flushedThroughSeq(), b.flushedThroughSeq()),
                                    a.storage() != null ? a.storage() : b.storage());
                        });
            }
        }
        long basis = -1;
        for (CommitDelta delta : deltas) {
            if (delta.basisCommit() >= 0) {
                basis = basis < 0 ? delta.basisCommit() : Math.min(basis, delta.basisCommit());
            }
        }
        return new CommitDelta(
                writerId, checkpointId, hot, new ArrayList<>(flushes.values()), basis);
    }
}
