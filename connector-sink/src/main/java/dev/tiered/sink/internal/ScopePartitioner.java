package dev.tiered.sink.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Which writer a routing key (see {@link ScopeKeySelector}) goes to. Writers use the same function
 * to tell which committed changes they own when they rebuild their hot store, whatever the job's
 * max parallelism.
 */
@Internal
public final class ScopePartitioner implements Partitioner<String> {
    private static final long serialVersionUID = 1L;

    /** Key groups of the routing: Flink's upper bound, so any parallelism spreads evenly. */
    static final int KEY_GROUPS = KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM;

    @Override
    public int partition(String key, int numPartitions) {
        return partitionOf(key, numPartitions);
    }

    static int partitionOf(String routingKey, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                routingKey, KEY_GROUPS, parallelism);
    }
}
