package dev.tiered.state.testing;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.commit.TableCommitter;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.tiered.state.testing.TableFixtures.batch;

/**
 * Committers with their own table handles racing for every commit number: writer {@code w} (writer
 * id {@code writer-<w>}) commits {@code perWriter} flushes of scope {@code user<w>}, the {@code
 * c}-th with checkpoint {@code c} and {@code batch-<c>.parquet}, all writers released at once.
 */
public final class CommitRace {

    /** Opens a writer's own handle on the table. */
    @FunctionalInterface
    public interface Opener {
        TieredTable open() throws IOException;
    }

    private CommitRace() {}

    /** Runs the race; rethrows the first committer's failure. */
    public static void run(int writers, int perWriter, Opener opener, Clock clock)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String writer = "writer-" + w;
                ScopeId scope = ScopeId.user("user" + w);
                futures.add(
                        pool.submit(
                                () -> {
                                    TableCommitter committer = opener.open().committer(clock);
                                    start.await();
                                    for (int c = 1; c <= perWriter; c++) {
                                        committer.commit(
                                                new PendingCommit("flush", writer, c)
                                                        .changeScope(
                                                                scope,
                                                                List.of(batch(c, c, c)),
                                                                List.of(),
                                                                c),
                                                1);
                                    }
                                    return null;
                                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
