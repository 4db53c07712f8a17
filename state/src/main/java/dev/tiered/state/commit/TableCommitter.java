package dev.tiered.state.commit;

import dev.tiered.state.CommitConflictException;
import dev.tiered.state.CommitStateUnknownException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.log.CommitLog;
import dev.tiered.state.log.ManifestStore;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes commits (DESIGN §3). Each attempt reads the newest table state, checks the pending commit
 * against it, numbers it N+1 and creates {@code _log/<N+1>.json} if absent: that create is the
 * commit point. Losing the race for N+1 re-reads and retries; a commit that no longer applies fails
 * with {@link CommitConflictException}; an unknowable outcome fails with {@link
 * CommitStateUnknownException}. After the commit point it only writes derived files (manifests, log
 * checkpoint), best effort: anything missing is rolled forward later.
 *
 * <p>A hot segment is retired by the first commit after which every scope it touched is flushed
 * past its highest {@code _seq}: readers and restores would skip all its rows anyway.
 *
 * <p>The manifests of a commit's scopes are written by up to {@value #MANIFEST_THREADS} threads at
 * once (a USER table's end-of-input flush changes a scope per user, and each manifest costs two
 * synced writes); the commit call returns once all are written or have failed.
 */
public final class TableCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(TableCommitter.class);
    private static final int MAX_ATTEMPTS = 100;

    /** Scope manifests written at once after a commit. */
    static final int MANIFEST_THREADS = 4;

    private static final AtomicInteger MANIFEST_POOLS = new AtomicInteger();

    /** What a commit call did. */
    public record CommitResult(long commit, boolean alreadyCommitted, TableState state) {}

    private final TableFileIO io;
    private final CommitLog log;
    private final ManifestStore manifests;
    private final String tableId;
    private final Clock clock;

    public TableCommitter(
            TableFileIO io, CommitLog log, ManifestStore manifests, String tableId, Clock clock) {
        this.io = io;
        this.log = log;
        this.manifests = manifests;
        this.tableId = tableId;
        this.clock = clock;
    }

    /**
     * Commits {@code pending} with the table definition version {@code schemaVersion}.
     *
     * @return the commit made, or, if (writer, checkpoint) was already committed, the table as it
     *     is with {@code alreadyCommitted} set
     */
    public CommitResult commit(PendingCommit pending, int schemaVersion) throws IOException {
        long started = clock.millis();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            TableState state = log.latestState();
            if (state.isCommitted(pending.writerId(), pending.checkpointId())) {
                LOG.info(
                        "Checkpoint {} of writer {} is already committed to {}; skipping",
                        pending.checkpointId(),
                        pending.writerId(),
                        tableId);
                return new CommitResult(state.commit(), true, state);
            }
            CommitRecord record = build(pending, state, schemaVersion);
            if (tryCreate(log.commitFile(record.commit()), log.serialize(record))) {
                TableState committed = state.apply(record);
                afterCommit(committed, record);
                LOG.info(
                        "Committed {} commit {} to {} (writer {}, checkpoint {}, {} scopes, {} hot"
                                + " segments added, {} retired) in {} ms",
                        record.operation(),
                        record.commit(),
                        tableId,
                        record.writerId(),
                        record.checkpointId(),
                        record.scopeChanges().size(),
                        record.hotAdded().size(),
                        record.hotRetired().size(),
                        clock.millis() - started);
                return new CommitResult(record.commit(), false, committed);
            }
            LOG.debug("Lost the race for commit {} of {}; retrying", record.commit(), tableId);
            backoff(attempt);
        }
        throw new CommitConflictException(
                "Cannot commit "
                        + pending.operation()
                        + " to "
                        + tableId
                        + ": lost the race for the next commit number "
                        + MAX_ATTEMPTS
                        + " times");
    }

    private CommitRecord build(PendingCommit pending, TableState state, int schemaVersion)
            throws IOException {
        long commit = state.commit() + 1;
        for (PendingCommit.Precondition precondition : pending.preconditions()) {
            String violation = precondition.violation(state, manifests);
            if (violation != null) {
                throw conflict(pending, violation);
            }
        }
        Set<String> live = new HashSet<>();
        state.hotSegments().forEach(h -> live.add(h.path()));
        for (String retired : pending.hotRetired()) {
            if (!live.contains(retired)) {
                throw conflict(pending, "hot segment " + retired + " is not live");
            }
        }
        List<ScopeChange> changes = new ArrayList<>();
        Map<ScopeId, Long> flushedThrough = new HashMap<>();
        for (Map.Entry<ScopeId, PendingCommit.ScopeDelta> entry : pending.scopes().entrySet()) {
            ScopeId scope = entry.getKey();
            PendingCommit.ScopeDelta delta = entry.getValue();
            TableState.ScopeState current = state.scope(scope);
            if (delta.erased() && current.version() == 0) {
                continue;
            }
            if (!delta.removed().isEmpty()) {
                checkRemovable(pending, state, scope, delta.removed());
            }
            StorageLayout layout = manifests.layout();
            String storage = null;
            if (current.version() == 0) {
                storage =
                        layout.isOwnStorage(delta.storage())
                                ? null
                                : StorageLayout.normalizeStorage(delta.storage());
            } else if (delta.storage() != null
                    && !layout.sameStorage(delta.storage(), current.storage())) {
                // the writer placed a new scope by the user's storage, but another commit created
                // the scope elsewhere meanwhile: the batches are in the wrong directory
                throw conflict(
                        pending,
                        "scope "
                                + scope
                                + " lives in "
                                + (current.storage() == null
                                        ? "the table's storage"
                                        : current.storage())
                                + " but the batches were written to "
                                + delta.storage());
            }
            changes.add(
                    new ScopeChange(
                            scope,
                            current.version() + 1,
                            delta.added(),
                            delta.removed(),
                            delta.flushedThroughSeq(),
                            delta.erased(),
                            storage));
            flushedThrough.put(
                    scope, Math.max(current.flushedThroughSeq(), delta.flushedThroughSeq()));
        }

        List<String> retired = new ArrayList<>(pending.hotRetired());
        for (HotSegmentRef segment : state.hotSegments()) {
            if (!retired.contains(segment.path()) && fullyFlushed(segment, state, flushedThrough)) {
                retired.add(segment.path());
            }
        }
        // A segment this very commit flushes past is not live (no read of a table state needs
        // it), but its changes are this commit's: list it apart for change readers.
        List<HotSegmentRef> added = new ArrayList<>();
        List<HotSegmentRef> flushedAtOnce = new ArrayList<>();
        for (HotSegmentRef segment : pending.hotAdded()) {
            if (fullyFlushed(segment, state, flushedThrough)) {
                flushedAtOnce.add(segment);
            } else {
                added.add(segment);
            }
        }
        return new CommitRecord(
                commit,
                pending.operation(),
                pending.writerId(),
                pending.checkpointId(),
                clock.millis(),
                schemaVersion,
                pending.maxSeq(),
                added,
                retired,
                changes,
                flushedAtOnce);
    }

    private static boolean fullyFlushed(
            HotSegmentRef segment, TableState state, Map<ScopeId, Long> flushedThrough) {
        for (ScopeId scope : segment.scopes()) {
            long bound = flushedThrough.getOrDefault(scope, state.scope(scope).flushedThroughSeq());
            if (bound < segment.maxSeq()) {
                return false;
            }
        }
        return !segment.scopes().isEmpty();
    }

    private void checkRemovable(
            PendingCommit pending, TableState state, ScopeId scope, List<String> removed)
            throws IOException {
        ScopeManifest manifest = manifests.manifest(state, scope);
        Set<String> listed = new HashSet<>();
        for (SegmentEntry segment : manifest.segments()) {
            listed.add(segment.id());
        }
        for (String id : removed) {
            if (!listed.contains(id)) {
                throw conflict(
                        pending,
                        "batch " + id + " of scope " + scope + " is not listed (already removed?)");
            }
        }
    }

    /**
     * Creates the commit file; settles an IOException by reading back (STYLE habit 4).
     *
     * @return true if this attempt made the commit, false if another commit holds the number
     */
    private boolean tryCreate(Path file, byte[] bytes) throws IOException {
        try {
            return io.createIfAbsent(file, bytes);
        } catch (IOException writeFailure) {
            try {
                if (io.exists(file)) {
                    return Arrays.equals(io.read(file), bytes);
                }
            } catch (IOException readFailure) {
                readFailure.addSuppressed(writeFailure);
                throw new CommitStateUnknownException(
                        "Cannot tell whether " + file + " was committed", readFailure);
            }
            throw writeFailure;
        }
    }

    /**
     * Writes the log checkpoint, then the changed scopes' manifests, in parallel when there are
     * several. The pool lives for this call only: committers are made per operation and have no
     * close, and a commit of many scopes pays a few thread starts against a sync per file.
     * ManifestStore and CommitLog are thread-safe; each scope's files are its own, and every
     * derivation of the same version writes the same bytes.
     */
    private void afterCommit(TableState committed, CommitRecord record) {
        log.committed(committed, record);
        List<ScopeId> scopes = new ArrayList<>();
        for (ScopeChange change : record.scopeChanges()) {
            if (!change.erased()) {
                scopes.add(change.scope());
            }
        }
        if (scopes.size() <= 1) {
            scopes.forEach(scope -> writeManifest(committed, record, scope));
            return;
        }
        ExecutorService pool = manifestPool(Math.min(MANIFEST_THREADS, scopes.size()));
        try {
            List<Future<?>> written = new ArrayList<>(scopes.size());
            for (ScopeId scope : scopes) {
                written.add(pool.submit(() -> writeManifest(committed, record, scope)));
            }
            for (Future<?> manifest : written) {
                manifest.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn(
                    "Commit {} of {} is durable but writing its manifests was interrupted; they"
                            + " will be rolled forward",
                    record.commit(),
                    tableId);
        } catch (ExecutionException e) {
            // writeManifest logs every exception: only an Error gets here, as it would serially
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            LOG.warn(
                    "Commit {} of {} is durable; writing a manifest failed",
                    record.commit(),
                    tableId,
                    e);
        } finally {
            pool.shutdownNow(); // after an interrupt: stops the rest, which roll forward later
        }
    }

    private void writeManifest(TableState committed, CommitRecord record, ScopeId scope) {
        try {
            manifests.ensureCurrent(committed, scope);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Commit {} of {} is durable but writing the manifest of scope {} failed;"
                            + " it will be rolled forward",
                    record.commit(),
                    tableId,
                    scope,
                    e);
        }
    }

    private static ExecutorService manifestPool(int threads) {
        int pool = MANIFEST_POOLS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        return Executors.newFixedThreadPool(
                threads,
                r -> {
                    Thread t =
                            new Thread(
                                    r, "tiered-manifests-" + pool + "-" + thread.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    private CommitConflictException conflict(PendingCommit pending, String reason) {
        return new CommitConflictException(
                "Cannot commit " + pending.operation() + " to " + tableId + ": " + reason);
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(Math.min(1L << Math.min(attempt, 10), 200L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommitConflictException("Cannot commit: interrupted while retrying");
        }
    }
}
