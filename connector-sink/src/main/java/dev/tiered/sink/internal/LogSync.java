package dev.tiered.sink.internal;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.hot.HotTable;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.TableState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a writer's hot store in step with the commit log:
 *
 * <ul>
 *   <li>a flush's rows leave the store only once the log shows the scope flushed through them
 *       ({@link #removeCommittedFlushes}), so a failed commit loses nothing;
 *   <li>committed hot segments this writer did not write itself — those of its previous attempt, of
 *       other subtasks before a rescale, of an earlier job — are applied to the store for the
 *       changes routed to this subtask and above their scope's flushed-through bound ({@link
 *       #adopt}). The store keeps the newest {@code _seq} per key, so the order in which adopted
 *       and new changes arrive does not matter; this also covers commits the committer re-makes
 *       after the writer restored.
 * </ul>
 */
@Internal
final class LogSync {
    private final TieredTable table;
    private final HotTable hot;
    private final ScopeKeySelector router;
    private final int parallelism;
    private final int subtask;
    private final Set<String> applied = new HashSet<>();
    private final Map<ScopeId, Long> awaiting = new HashMap<>();

    LogSync(
            TieredTable table,
            HotTable hot,
            ScopeKeySelector router,
            int parallelism,
            int subtask) {
        this.table = table;
        this.hot = hot;
        this.router = router;
        this.parallelism = parallelism;
        this.subtask = subtask;
    }

    /** A hot segment this writer wrote: its changes are in the store already. */
    void written(String path) {
        applied.add(path);
    }

    /** A flush of {@code scope} through {@code flushedThroughSeq} awaits its commit. */
    void flushed(ScopeId scope, long flushedThroughSeq) {
        awaiting.put(scope, flushedThroughSeq);
    }

    boolean awaitingCommit(ScopeId scope) {
        return awaiting.containsKey(scope);
    }

    /** Removes from the store the rows of every flush the log shows committed. */
    void removeCommittedFlushes() throws IOException {
        if (awaiting.isEmpty()) {
            return;
        }
        TableState state = table.latestState();
        Iterator<Map.Entry<ScopeId, Long>> it = awaiting.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ScopeId, Long> entry = it.next();
            if (state.scope(entry.getKey()).flushedThroughSeq() >= entry.getValue()) {
                hot.removeFlushed(entry.getKey(), entry.getValue());
                it.remove();
            }
        }
    }

    /**
     * Applies the changes routed to this subtask from committed hot segments it has not seen.
     *
     * @return the changes applied
     */
    long adopt() throws IOException {
        TableState state = table.latestState();
        long count = 0;
        for (HotSegmentRef segment : state.hotSegments()) {
            if (!applied.add(segment.path())) {
                continue;
            }
            Path file = new Path(table.layout().hotDir(), segment.path());
            try (HotSegmentReader reader =
                    HotSegmentReader.open(
                            file.getFileSystem(), file, table.definition(), s -> true)) {
                while (reader.next()) {
                    long bound = state.scope(reader.scope()).flushedThroughSeq();
                    if (reader.seq() > bound
                            && owns(router.getKey(reader.row()))
                            && hot.apply(reader.scope(), reader.seq(), reader.op(), reader.row())) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private boolean owns(String routingKey) {
        return ScopePartitioner.partitionOf(routingKey, parallelism) == subtask;
    }
}
