package dev.tiered.source.internal.split;

import org.apache.flink.annotation.Internal;

import java.util.List;

/**
 * The enumerator's checkpoint: how far the commit log has been planned, and the splits planned but
 * not yet assigned. Splits assigned since the last checkpoint come back through {@code
 * addSplitsBack}; splits assigned before it are in the readers' state. Together: every commit's
 * changes are read exactly once.
 *
 * @param plannedThrough the last commit whose splits were planned; -1 before the first planning (a
 *     restored enumerator then plans from its start position again)
 */
@Internal
public record EnumState(long plannedThrough, List<TieredSplit> pending) {
    public EnumState {
        pending = List.copyOf(pending);
    }

    public static EnumState initial() {
        return new EnumState(-1, List.of());
    }
}
