package dev.tiered.sink.testing;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A source of {@code 0, 1, 2, ...} (parallelism 1) that emits a number only once a test opened the
 * gate beyond it, without blocking the task: checkpoints keep completing while it waits. Its end is
 * never reached, so the job runs until stopped and never sees end of input. The position survives
 * savepoints (it is the generator's split state), so a resumed job goes on where it stopped.
 */
public final class GatedSequence {
    private static final AtomicLong OPEN = new AtomicLong();
    private static final AtomicLong NEXT = new AtomicLong();

    private GatedSequence() {}

    /** Closes the gate and forgets what was emitted: call before the first job of a test. */
    public static void reset() {
        OPEN.set(0);
        NEXT.set(0);
    }

    /** Lets the numbers below {@code count} through. */
    public static void openTo(long count) {
        OPEN.set(count);
    }

    /** A source of numbers gated by {@link #openTo}. */
    public static DataGeneratorSource<Long> source() {
        return new DataGeneratorSource<>(
                GatedSequence::emit, Long.MAX_VALUE, new GateStrategy(), Types.LONG);
    }

    private static Long emit(Long index) {
        NEXT.set(index + 1);
        return index;
    }

    private static final class GateStrategy implements RateLimiterStrategy<SourceSplit> {
        private static final long serialVersionUID = 1L;

        @Override
        public RateLimiter<SourceSplit> createRateLimiter(int parallelism) {
            return new Gate();
        }
    }

    /** Asked before records: the next record may go once the gate is open beyond it. */
    private static final class Gate implements RateLimiter<SourceSplit> {
        @Override
        public CompletionStage<Void> acquire(int permits) {
            if (OPEN.get() > NEXT.get()) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.runAsync(
                    () -> {
                        while (OPEN.get() <= NEXT.get()) {
                            try {
                                Thread.sleep(5);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    });
        }
    }
}
