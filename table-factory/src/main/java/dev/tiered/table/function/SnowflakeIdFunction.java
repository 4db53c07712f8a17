package dev.tiered.table.function;

import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code SNOWFLAKE_ID()}: a fresh BIGINT per call, increasing per task, unique across tasks (time,
 * writer, counter as KalamDB's ids). Non-deterministic, so never constant-folded.
 */
@PublicEvolving
public class SnowflakeIdFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    private transient SnowflakeIds ids;

    @Override
    public void open(FunctionContext context) {
        ids = new SnowflakeIds(writerId(context), Clock.systemUTC());
    }

    public long eval() {
        if (ids == null) {
            ids = new SnowflakeIds(randomWriterId(), Clock.systemUTC());
        }
        return ids.nextId();
    }

    @Override
    public boolean isDeterministic() {
        return false;
    }

    private static int writerId(FunctionContext context) {
        try {
            return context.getTaskInfo().getIndexOfThisSubtask() % SnowflakeIds.MAX_WRITER_ID;
        } catch (RuntimeException e) {
            // Outside a task (constant expression reduction in the client): any id below the
            // maintenance writer's.
            return randomWriterId();
        }
    }

    private static int randomWriterId() {
        return ThreadLocalRandom.current().nextInt(SnowflakeIds.MAX_WRITER_ID);
    }
}
