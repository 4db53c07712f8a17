package dev.tiered.state.maint;

import dev.tiered.state.CommitConflictException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentFile;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.log.CommitLog;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * GDPR erase of one user from every USER table (DESIGN §4, invariant 7). Per table:
 *
 * <ol>
 *   <li>One {@code erase_user} commit removes the user's scope and replaces every live hot segment
 *       holding the user's changes by a copy without them: from that commit on no reader sees the
 *       user.
 *   <li>The user's scope directory (batches, manifests) is deleted, and the user's rejected rows
 *       ({@code _rejected/}, {@code sink.bad-rows = dead-letter}) are removed from their files.
 *   <li>The history is scrubbed (see {@link LogScrubber}): hot segments older commits name are
 *       rewritten without the user's rows, and every commit and log checkpoint up to the erase
 *       commit is rewritten without the user. Time travel to an older commit then shows the table
 *       without the user.
 * </ol>
 *
 * Afterwards no file of the table holds a byte of the user. Writers still running must drop the
 * user's hot rows themselves (they see the {@code erase_user} commit in the log).
 *
 * <p>Crash behaviour: before the commit point nothing is visible (the copies are orphans); after
 * it, re-running the erase finds the scope gone, skips the commit and finishes steps 2 and 3, which
 * are idempotent. The erase is complete only when the call returns.
 */
public final class UserErasure {
    private static final Logger LOG = LoggerFactory.getLogger(UserErasure.class);
    private static final int MAX_ATTEMPTS = 10;

    /** The writer identity of erase commits. */
    public static final String WRITER_ID = "maintenance-erase";

    /**
     * What the erase did to one table.
     *
     * @param commit the erase commit, or -1 if the table had nothing of the user live (its history
     *     was still scrubbed)
     * @param hotSegmentsRewritten live hot segments replaced by copies without the user
     * @param filesScrubbed history and dead-letter files rewritten or deleted
     */
    public record TableResult(
            String tableId, long commit, int hotSegmentsRewritten, int filesScrubbed) {}

    /** What the erase did, table by table. */
    public record Result(String userId, List<TableResult> tables) {
        public Result {
            tables = List.copyOf(tables);
        }
    }

    private UserErasure() {}

    /** Erases the user from every USER table of the list; other tables are skipped. */
    public static Result erase(List<TieredTable> tables, String userId, Clock clock)
            throws IOException {
        ScopeId scope = ScopeId.user(userId);
        List<TableResult> results = new ArrayList<>();
        for (TieredTable table : tables) {
            if (table.definition().type() == TableType.USER) {
                results.add(eraseFrom(table, scope, clock));
            }
        }
        return new Result(userId, results);
    }

    /** Erases the user from one USER table. */
    public static TableResult eraseFrom(TieredTable table, ScopeId scope, Clock clock)
            throws IOException {
        if (table.definition().type() != TableType.USER || scope.isShared()) {
            throw new IllegalArgumentException(
                    "Cannot erase user "
                            + scope
                            + " from "
                            + table.definition().tableId()
                            + ": only USER tables have users");
        }
        Committed erased = commitErase(table, scope, clock);
        long commit = erased.commit();
        int rewritten = erased.hotSegmentsRewritten();

        // The user's directory wherever it may be: where the table had it, in the table's own
        // storage (orphans of flushes that never committed), and where a new flush would put it.
        Set<Path> dirs = new LinkedHashSet<>();
        if (erased.scopeDir() != null) {
            dirs.add(erased.scopeDir());
        }
        dirs.add(table.scopeDir(scope));
        try {
            dirs.add(table.placeScope(TableState.empty(0), scope).dir());
        } catch (TieredException unknownStorage) {
            // assigned a storage this catalog does not know: nothing can have been written there
            // by it, and what others wrote there the table state above names
            LOG.warn("Not looking for the user's directory: {}", unknownStorage.getMessage());
        }
        for (Path dir : dirs) {
            table.io().delete(dir);
        }
        int rejected = RejectedRows.scrub(table, scope.userId());
        long scrubThrough = commit > 0 ? commit : table.log().latestCommit();
        LogScrubber scrubber = new LogScrubber(table, scope);
        scrubber.scrubThrough(scrubThrough);
        scrubber.scrubUnreferencedHotSegments();
        LOG.info(
                "Erased a user from {} (commit {}): {} live hot segments rewritten, {} history"
                        + " files scrubbed",
                table.definition().tableId(),
                commit,
                rewritten,
                scrubber.filesRewritten() + rejected);
        return new TableResult(
                table.definition().tableId(),
                commit,
                rewritten,
                scrubber.filesRewritten() + rejected);
    }

    /**
     * @param scopeDir where the scope's directory was before the erase (it may live in a user
     *     storage), or null if the table had no manifest of it
     */
    private record Committed(long commit, int hotSegmentsRewritten, Path scopeDir) {}

    /**
     * Step 1: the erase commit, re-planned if a writer retired a planned segment meanwhile; commit
     * -1 if the table has nothing of the user live.
     */
    private static Committed commitErase(TieredTable table, ScopeId scope, Clock clock)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            TableState state = table.latestState();
            List<HotSegmentRef> holding = new ArrayList<>();
            for (HotSegmentRef hot : state.hotSegments()) {
                if (hot.scopes().contains(scope)) {
                    holding.add(hot);
                }
            }
            Path scopeDir = state.scopes().containsKey(scope) ? table.scopeDir(state, scope) : null;
            if (scopeDir == null && holding.isEmpty()) {
                return new Committed(-1, 0, null);
            }
            List<Path> written = new ArrayList<>();
            try {
                PendingCommit pending = new PendingCommit(CommitLog.ERASE_USER, WRITER_ID, -1);
                pending.eraseScope(scope);
                SnowflakeIds ids = new SnowflakeIds(BatchRewriter.MAINTENANCE_WRITER_ID, clock);
                for (HotSegmentRef hot : holding) {
                    pending.retireHotSegment(hot.path());
                    HotSegmentFile file = copyWithout(table, hot, scope, ids, written);
                    if (file != null) {
                        pending.addHotSegment(
                                Segments.ref(file, hot.writerId(), hot.checkpointId()));
                    }
                }
                long commit =
                        table.committer(clock)
                                .commit(pending, table.definition().schemaVersion())
                                .commit();
                return new Committed(commit, holding.size(), scopeDir);
            } catch (CommitConflictException e) {
                // A writer retired one of the segments meanwhile: re-plan against the new table.
                BatchRewriter.deleteQuietly(written, e);
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * The segment's changes of other scopes, copied to a new hot segment under a fresh name; null
     * (and no file) if there are none. A finished copy is added to {@code written}.
     */
    private static HotSegmentFile copyWithout(
            TieredTable table,
            HotSegmentRef hot,
            ScopeId scope,
            SnowflakeIds ids,
            List<Path> written)
            throws IOException {
        Path source = new Path(table.layout().hotDir(), hot.path());
        for (int attempt = 1; ; attempt++) {
            Path copy = new Path(table.layout().hotDir(), "erase-" + ids.nextId() + ".avro");
            try {
                HotSegmentFile file = LogScrubber.copyWithout(table, source, scope, copy);
                if (file != null) {
                    written.add(copy);
                }
                return file;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= BatchRewriter.MAX_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
