package dev.tiered.e2e.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/** Polls a condition until it holds or a deadline passes; the e2e cluster has no latches. */
public final class Waits {
    private static final long POLL_MILLIS = 250;

    private Waits() {}

    /**
     * Returns once {@code condition} is true; rethrows what it throws; fails with {@code what}
     * after {@code timeout}.
     */
    public static void until(String what, Duration timeout, Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(
                        "Cannot wait any longer for " + what + " (" + timeout + ")");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
