package dev.tiered.source.internal.split;

import dev.tiered.state.ScopeId;

import org.apache.flink.annotation.Internal;

import java.util.List;

/**
 * The enumerator's checkpoint: how far the commit log has been planned, the splits planned but not
 * yet assigned, and, while the snapshot is still being planned (a scope at a time, in parts), the
 * snapshot's commit and the scopes not yet planned. Splits assigned since the last checkpoint come
 * back through {@code addSplitsBack}; splits assigned before it are in the readers' state.
 * Together: every scope's snapshot and every commit's changes are read exactly once.
 *
 * @param plannedThrough the last commit whose splits were planned; -1 before the snapshot (if any)
 *     is planned completely (a restored enumerator with no snapshot in progress then plans from its
 *     start position again)
 * @param snapshotCommit the commit of the snapshot being planned, or -1 if none is in progress
 * @param unplannedScopes the scopes of that snapshot whose splits are not planned yet, in order
 */
@Internal
public record EnumState(
        long plannedThrough,
        List<TieredSplit> pending,
        long snapshotCommit,
        List<ScopeId> unplannedScopes) {
    public EnumState {
        pending = List.copyOf(pending);
        unplannedScopes = List.copyOf(unplannedScopes);
    }

    /** A state with no snapshot in progress. */
    public EnumState(long plannedThrough, List<TieredSplit> pending) {
        this(plannedThrough, pending, -1, List.of());
    }

    public static EnumState initial() {
        return new EnumState(-1, List.of());
    }
}
