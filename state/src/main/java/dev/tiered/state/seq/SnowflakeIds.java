package dev.tiered.state.seq;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snowflake-style 63-bit ids: 41 bits of milliseconds since 2024-01-01 UTC, 10 bits of writer id,
 * 12 bits of counter. Ids from one generator strictly increase, even when the clock goes backwards
 * (the generator keeps its own logical time and never steps back), and ids of generators with
 * different writer ids never collide. When the counter of a millisecond runs out, the generator
 * borrows the next millisecond instead of waiting for it. Thread-safe, lock-free.
 *
 * <p>These are the values of {@code SNOWFLAKE_ID()} and of the storage format's {@code _seq}.
 */
public final class SnowflakeIds {
    /** 2024-01-01T00:00:00Z, as KalamDB's batch-insert generator. */
    public static final long EPOCH_MILLIS = 1_704_067_200_000L;

    public static final int WRITER_BITS = 10;
    public static final int COUNTER_BITS = 12;
    public static final int MAX_WRITER_ID = (1 << WRITER_BITS) - 1;

    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

    private final Clock clock;
    private final long writerBits;

    /** The last id handed out with the writer bits removed: (millis << 12) | counter. */
    private final AtomicLong last;

    public SnowflakeIds(int writerId, Clock clock) {
        this(writerId, clock, 0L);
    }

    /**
     * @param floor every id this generator returns is greater than {@code floor}; a restored writer
     *     passes the highest id already committed
     */
    public SnowflakeIds(int writerId, Clock clock, long floor) {
        if (writerId < 0 || writerId > MAX_WRITER_ID) {
            throw new IllegalArgumentException(
                    "Cannot create id generator: writer id "
                            + writerId
                            + " is outside 0.."
                            + MAX_WRITER_ID);
        }
        this.clock = clock;
        this.writerBits = (long) writerId << COUNTER_BITS;
        this.last = new AtomicLong(stripWriter(floor));
    }

    public long nextId() {
        long now = (clock.millis() - EPOCH_MILLIS) << COUNTER_BITS;
        long next;
        long previous;
        do {
            previous = last.get();
            // Same or earlier millisecond (clock stalled or went back): count on from the last id.
            next = now > previous ? now : previous + 1;
        } while (!last.compareAndSet(previous, next));
        return compose(next);
    }

    /**
     * Makes every later id greater than {@code floor} (e.g. the highest committed {@code _seq}).
     */
    public void advancePast(long floor) {
        long stripped = stripWriter(floor);
        last.accumulateAndGet(stripped, Math::max);
    }

    /** Milliseconds since the Unix epoch encoded in an id. */
    public static long timestampMillis(long id) {
        return (id >>> (WRITER_BITS + COUNTER_BITS)) + EPOCH_MILLIS;
    }

    /** The writer id encoded in an id. */
    public static int writerId(long id) {
        return (int) ((id >>> COUNTER_BITS) & MAX_WRITER_ID);
    }

    private long compose(long millisAndCounter) {
        long millis = millisAndCounter >>> COUNTER_BITS;
        return (millis << (WRITER_BITS + COUNTER_BITS))
                | writerBits
                | (millisAndCounter & COUNTER_MASK);
    }

    /**
     * A (millis, counter) slot such that the next slot's id exceeds {@code id} whatever the writer
     * bits of either: the last slot of the id's millisecond, because the writer bits sit above the
     * counter and an id of a higher writer in the same millisecond outranks any counter of ours.
     */
    private static long stripWriter(long id) {
        if (id <= 0) {
            return 0;
        }
        long millis = id >>> (WRITER_BITS + COUNTER_BITS);
        return ((millis + 1) << COUNTER_BITS) - 1;
    }
}
