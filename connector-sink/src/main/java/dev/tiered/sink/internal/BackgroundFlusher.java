package dev.tiered.sink.internal;

import dev.tiered.state.ScopeId;
import dev.tiered.state.cold.DictionaryHints;
import dev.tiered.state.cold.FileSyncs;
import dev.tiered.state.meta.CommitDelta;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a writer's flushes on one background thread, so that encoding and compressing Parquet does
 * not hold up the task thread: a flush opened at a checkpoint ({@link ScopeFlusher#open}, on the
 * task thread) is written while the writer goes on with the next checkpoint's rows, and its delta
 * goes into the first checkpoint that finds it finished and on disk ({@link #takeFinished}). At end
 * of input the writer waits for all of them.
 *
 * <p>Nothing changes for exactly-once: a flush's rows stay in the hot store and in committed hot
 * segments until the log shows the flush committed, so a flush lost with a failure (or still
 * running at one) is redone after the restore, and its file is an orphan.
 *
 * <p><b>Threads.</b> {@link #submit}, {@link #takeFinished}, {@link #discard} and {@link #close}
 * are called on the writer's task thread; the batch writer, its file syncs and the dictionary hints
 * are used on the flush thread only. A flush's result is handed over only once its batch is synced:
 * the flush thread syncs the batches written so far whenever it runs out of work.
 */
@Internal
final class BackgroundFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundFlusher.class);

    /** Batch syncs in flight at once: an end-of-input flush may write a batch per user. */
    private static final int SYNC_THREADS = 4;

    private final String tableId;
    private final Clock clock;
    private final ExecutorService thread;

    /** Flush thread only. */
    private final FileSyncs syncs = new FileSyncs(SYNC_THREADS);

    /** Flush thread only: columns not worth a dictionary, learned from this writer's batches. */
    private final DictionaryHints dictionaries = new DictionaryHints();

    /** Flush thread only: written flushes whose batches are not synced yet. */
    private final List<Running> unsynced = new ArrayList<>();

    /** Task thread only: flushes submitted and not taken yet, in submission order. */
    private final Map<ScopeId, Running> running = new LinkedHashMap<>();

    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean cancelled;
    private volatile long lastFlushMillis;
    private boolean closed;

    /** A submitted flush; its future completes once the batch is written and synced. */
    private static final class Running {
        final ScopeFlusher flusher;
        final CompletableFuture<CommitDelta.ScopeFlush> done = new CompletableFuture<>();
        CommitDelta.ScopeFlush result;
        Throwable failure;

        Running(ScopeFlusher flusher) {
            this.flusher = flusher;
        }
    }

    BackgroundFlusher(String tableId, int subtask, Clock clock) {
        this.tableId = tableId;
        this.clock = clock;
        this.thread =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "tiered-flush-" + tableId + "-" + subtask);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Whether a flush of {@code scope} is submitted and not taken yet. */
    boolean isRunning(ScopeId scope) {
        return running.containsKey(scope);
    }

    /** Starts writing the flush in the background; one flush per scope at a time. */
    void submit(ScopeFlusher flusher) {
        if (closed) {
            throw new IllegalStateException("Cannot flush " + tableId + ": the flusher is closed");
        }
        if (running.containsKey(flusher.scope())) {
            throw new IllegalStateException(
                    "Cannot flush " + flusher.scope() + " of " + tableId + " twice at once");
        }
        Running flush = new Running(flusher);
        running.put(flusher.scope(), flush);
        queued.incrementAndGet();
        thread.execute(() -> run(flush));
    }

    /** On the flush thread. */
    private void run(Running flush) {
        long started = System.nanoTime();
        try {
            flush.result = flush.flusher.write(clock, syncs, dictionaries, () -> cancelled);
        } catch (Throwable e) {
            flush.failure = e;
            try {
                flush.flusher.close();
            } catch (IOException | RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
        }
        lastFlushMillis = (System.nanoTime() - started) / 1_000_000;
        unsynced.add(flush);
        if (queued.decrementAndGet() > 0) {
            return; // the next flush syncs this one's batch with its own
        }
        IOException syncFailure = null;
        try {
            syncs.awaitAll();
        } catch (IOException e) {
            syncFailure = e;
        }
        for (Running written : unsynced) {
            if (written.failure != null) {
                written.done.completeExceptionally(written.failure);
            } else if (syncFailure != null && written.result != null) {
                written.done.completeExceptionally(syncFailure);
            } else {
                written.done.complete(written.result);
            }
        }
        unsynced.clear();
    }

    /**
     * Takes the flushes that are finished and synced (all of them, waiting, if {@code wait}), in
     * submission order; flushes that found nothing to write are left out.
     *
     * @throws IOException if a flush failed: the writer fails, and the restore redoes it
     */
    List<CommitDelta.ScopeFlush> takeFinished(boolean wait) throws IOException {
        List<CommitDelta.ScopeFlush> finished = new ArrayList<>();
        Iterator<Running> it = running.values().iterator();
        while (it.hasNext()) {
            Running flush = it.next();
            if (!wait && !flush.done.isDone()) {
                continue;
            }
            it.remove();
            CommitDelta.ScopeFlush result = await(flush);
            if (result != null) {
                finished.add(result);
            }
        }
        return finished;
    }

    /**
     * Forgets the flush of a scope that left the table (an erased user): waits for it and deletes
     * its batch, which nothing will commit.
     */
    void discard(ScopeId scope) {
        Running flush = running.remove(scope);
        if (flush == null) {
            return;
        }
        try {
            if (await(flush) != null) {
                deleteQuietly(flush.flusher.path());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "The flush of erased scope {} of {} failed; nothing to drop",
                    scope,
                    tableId,
                    e);
        }
    }

    private void deleteQuietly(Path batch) {
        try {
            batch.getFileSystem().delete(batch, false);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot delete {} of {}; it is left to orphan cleanup", batch, tableId, e);
        }
    }

    /** How long the last flush took to write, in milliseconds. */
    long lastFlushMillis() {
        return lastFlushMillis;
    }

    private CommitDelta.ScopeFlush await(Running flush) throws IOException {
        try {
            return flush.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(
                    "Interrupted while waiting for the flush of "
                            + flush.flusher.scope()
                            + " of "
                            + tableId);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(
                        "Cannot flush " + flush.flusher.scope() + " of " + tableId, io);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(
                    "Cannot flush " + flush.flusher.scope() + " of " + tableId, cause);
        }
    }

    /**
     * Cancels the flushes still running (their batches are deleted, their cursors closed) and waits
     * for the flush thread to stop, so that the hot store can be closed after this returns.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancelled = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("The flush thread of {} did not stop within 60 s", tableId);
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
        for (Running flush : running.values()) {
            if (!flush.done.isDone()) { // never ran: its cursor is still open
                try {
                    flush.flusher.close();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Cannot close the cursor of an abandoned flush of {}", tableId, e);
                }
                flush.done.completeExceptionally(new CancellationException("closed"));
            } else if (flush.result != null) { // written, never handed on: nothing commits it
                deleteQuietly(flush.flusher.path());
            }
        }
        running.clear();
        syncs.close();
    }
}
