package dev.tiered.state.cold;

import org.apache.flink.core.fs.FSDataOutputStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes finished files durable in the background: a writer hands over a file's stream at the end of
 * the file ({@link #syncAndClose}), a small pool syncs and closes it while the writer goes on with
 * the next file, and {@link #awaitAll()} returns once every file handed over is on disk. A flush of
 * many small batches (a USER table's end of input) so pays one fsync's latency per pool thread
 * instead of one per file, and the file system can group the syncs.
 *
 * <p>Durability is unchanged for the commit protocol: whoever names the files in a commit calls
 * {@code awaitAll()} first (the sink writer does before it hands its delta to the committer), just
 * as a file written without this class is synced when it is closed. At most {@link #MAX_IN_FLIGHT}
 * streams are open at a time; {@code syncAndClose} waits for the oldest beyond that. Used by one
 * writer thread; {@link #close()} waits for what is in flight, closes the pool and is idempotent.
 */
public final class FileSyncs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileSyncs.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    /** Files being synced at most at a time (each holds an open file descriptor). */
    static final int MAX_IN_FLIGHT = 64;

    private final ExecutorService pool;
    private final Deque<Pending> inFlight = new ArrayDeque<>();
    private boolean closed;

    private record Pending(String path, FSDataOutputStream out, Future<?> done) {}

    /**
     * @param threads syncs that may run at once
     */
    public FileSyncs(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("Cannot create file syncs: threads must be > 0");
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        this.pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "tiered-file-sync-"
                                                    + pool
                                                    + "-"
                                                    + thread.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Syncs and closes {@code out} in the background; the caller no longer touches it. Failures
     * surface from {@link #awaitAll()}.
     */
    void syncAndClose(FSDataOutputStream out, String path) throws IOException {
        if (closed) {
            closeQuietly(out, path);
            throw new IllegalStateException("Cannot sync " + path + ": file syncs are closed");
        }
        while (inFlight.size() >= MAX_IN_FLIGHT) {
            await(inFlight.removeFirst());
        }
        inFlight.addLast(
                new Pending(
                        path,
                        out,
                        pool.submit(
                                () -> {
                                    try (out) {
                                        out.sync();
                                    }
                                    return null;
                                })));
    }

    /**
     * Returns once every file handed over so far is synced and closed; throws the first failure.
     */
    public void awaitAll() throws IOException {
        IOException failure = null;
        while (!inFlight.isEmpty()) {
            try {
                await(inFlight.removeFirst());
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void await(Pending pending) throws IOException {
        try {
            pending.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while syncing " + pending.path());
        } catch (ExecutionException e) {
            throw new IOException("Cannot sync " + pending.path(), e.getCause());
        }
    }

    private static void closeQuietly(FSDataOutputStream out, String path) {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("Cannot close {}", path, e);
        }
    }

    /** Waits for the files in flight (failures are logged: nothing will commit them) and stops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.shutdown(); // queued syncs still run
        for (Pending pending : inFlight) {
            try {
                await(pending);
            } catch (IOException e) {
                LOG.warn("Sync at close failed; the file is left to orphan cleanup", e);
            }
        }
        // after an interrupt: syncs that never started still own their streams
        for (Runnable never : pool.shutdownNow()) {
            for (Pending pending : inFlight) {
                if (pending.done() == never) {
                    closeQuietly(pending.out(), pending.path());
                }
            }
        }
        inFlight.clear();
    }
}
