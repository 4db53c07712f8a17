package dev.tiered.state.seq;

import dev.tiered.state.testing.ManualClock;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnowflakeIdsTest {
    private static final long T0 = 1_763_600_000_000L; // 2025-11-20

    @Test
    void idsCarryTimeAndWriter() {
        SnowflakeIds ids = new SnowflakeIds(37, new ManualClock(T0));
        long id = ids.nextId();
        assertThat(SnowflakeIds.timestampMillis(id)).isEqualTo(T0);
        assertThat(SnowflakeIds.writerId(id)).isEqualTo(37);
        assertThat(id).isPositive();
    }

    @Test
    void monotonicWhenTheClockStallsOrGoesBackwards() {
        ManualClock clock = new ManualClock(T0);
        SnowflakeIds ids = new SnowflakeIds(1, clock);
        long previous = ids.nextId();
        for (int i = 0; i < 10_000; i++) {
            if (i % 1000 == 0) {
                clock.advance(-5_000); // NTP step back
            } else if (i % 7 == 0) {
                clock.advance(1);
            }
            long next = ids.nextId();
            assertThat(next).isGreaterThan(previous);
            assertThat(SnowflakeIds.writerId(next)).isEqualTo(1);
            previous = next;
        }
    }

    @Test
    void counterOverflowBorrowsTheNextMillisecond() {
        ManualClock clock = new ManualClock(T0);
        SnowflakeIds ids = new SnowflakeIds(0, clock);
        long last = 0;
        for (int i = 0; i < 4096 * 3; i++) {
            last = ids.nextId();
        }
        assertThat(SnowflakeIds.timestampMillis(last)).isEqualTo(T0 + 2);
    }

    @Test
    void restoredGeneratorContinuesAboveAnyWritersFloor() {
        ManualClock clock = new ManualClock(T0);
        long committed = new SnowflakeIds(1023, new ManualClock(T0 + 10)).nextId();
        SnowflakeIds restored = new SnowflakeIds(0, clock, committed);
        assertThat(restored.nextId()).isGreaterThan(committed);

        SnowflakeIds running = new SnowflakeIds(0, clock);
        long higher = new SnowflakeIds(5, new ManualClock(T0 + 1_000)).nextId();
        running.advancePast(higher);
        assertThat(running.nextId()).isGreaterThan(higher);
    }

    @Test
    void uniqueAcrossWritersAndThreads() throws Exception {
        Clock clock = Clock.systemUTC();
        int writers = 4;
        int threadsPerWriter = 2;
        int perThread = 50_000;
        List<SnowflakeIds> generators = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            generators.add(new SnowflakeIds(w, clock));
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers * threadsPerWriter);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < writers * threadsPerWriter; t++) {
                SnowflakeIds gen = generators.get(t % writers);
                Callable<long[]> task =
                        () -> {
                            long[] out = new long[perThread];
                            for (int i = 0; i < perThread; i++) {
                                out[i] = gen.nextId();
                            }
                            return out;
                        };
                futures.add(pool.submit(task));
            }
            Set<Long> all = new HashSet<>();
            for (Future<long[]> future : futures) {
                long[] ids = future.get();
                for (int i = 0; i < ids.length; i++) {
                    if (i > 0) {
                        assertThat(ids[i]).as("per-thread order").isGreaterThan(ids[i - 1]);
                    }
                    all.add(ids[i]);
                }
            }
            assertThat(all).hasSize(writers * threadsPerWriter * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writerIdMustFitTenBits() {
        assertThatThrownBy(() -> new SnowflakeIds(1024, Clock.systemUTC()))
                .hasMessage("Cannot create id generator: writer id 1024 is outside 0..1023");
    }
}
