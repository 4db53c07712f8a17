package dev.tiered.state.maint;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.log.CommitLog;
import dev.tiered.state.log.ManifestStore;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.meta.TableStateParser;

import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Expiry of old commits (DESIGN §9): keeps the newest {@code log.retain-commits} commits, every
 * commit younger than {@code log.retain-time}, and every commit at or above the oldest live {@link
 * ReaderPins pin}; removes the older ones and the files only they reference.
 *
 * <p>The oldest commit kept is the newest log checkpoint boundary {@code c} at or below that floor
 * (loading a state needs a checkpoint below it). A run:
 *
 * <ol>
 *   <li>makes sure {@code _log/<c>.checkpoint.json} exists and that every scope's manifest version
 *       at {@code c} is written (roll-forward needs commits that are about to go);
 *   <li>deletes what the commits up to {@code c} dropped: batches they removed, hot segments they
 *       retired, manifest versions they superseded — none of which any state at or after {@code c}
 *       references;
 *   <li>deletes the commit files below {@code c} (oldest first), then the checkpoints below it.
 * </ol>
 *
 * Each step only starts when the one before is complete, and step 2 reads the very commit files
 * step 3 deletes, so a crash anywhere leaves a readable table and the next run finishes the job.
 * Time travel to a commit below {@code c} fails afterwards with "commit N expired".
 */
public final class Expiry {
    private static final Logger LOG = LoggerFactory.getLogger(Expiry.class);

    /**
     * What one expiry run did.
     *
     * @param oldestRetained the oldest commit kept (time travel reaches back to it)
     * @param commitsRemoved commit files deleted
     * @param dataFilesRemoved batches and hot segments deleted
     * @param manifestsRemoved superseded manifest versions deleted
     */
    public record Result(
            String tableId,
            long oldestRetained,
            int commitsRemoved,
            int dataFilesRemoved,
            int manifestsRemoved,
            String message) {}

    private Expiry() {}

    /** Expires what the options and the live pins allow, as of the clock's now. */
    public static Result expire(TieredTable table, MaintenanceOptions options, Clock clock)
            throws IOException {
        CommitLog log = table.log();
        String tableId = table.definition().tableId();
        long latest = log.latestCommit();
        List<Long> commits = log.listCommits();
        if (latest == 0 || commits.isEmpty()) {
            return new Result(tableId, 0, 0, 0, 0, "nothing to expire: the table has no commits");
        }
        long oldest = commits.get(0);
        long floor = floor(table, options, clock, oldest, latest);
        long keep = (floor / log.checkpointInterval()) * log.checkpointInterval();
        if (keep <= oldest) {
            if (log.hasCheckpoint(oldest)) {
                deleteLogBelow(table, List.of(), oldest); // checkpoints a crashed run left
            }
            return new Result(
                    tableId,
                    oldest,
                    0,
                    0,
                    0,
                    "nothing to expire: the oldest commit " + oldest + " is still retained");
        }

        TableState kept = prepare(table, keep, latest);
        int[] dropped = deleteDropped(table, oldest, kept);
        int commitsRemoved = deleteLogBelow(table, commits, keep);
        LOG.info(
                "Expired commits {}..{} of {}: {} commit files, {} data files, {} manifest"
                        + " versions deleted; time travel reaches back to commit {}",
                oldest,
                keep - 1,
                tableId,
                commitsRemoved,
                dropped[0],
                dropped[1],
                keep);
        return new Result(
                tableId,
                keep,
                commitsRemoved,
                dropped[0],
                dropped[1],
                "expired commits " + oldest + ".." + (keep - 1));
    }

    /**
     * Step 1: the state at {@code keep} must load without the commits below it, and every manifest
     * version it or a later commit names must be written (or derivable from retained commits).
     *
     * @return the table at {@code keep}
     */
    private static TableState prepare(TieredTable table, long keep, long latest)
            throws IOException {
        CommitLog log = table.log();
        TableState kept;
        if (log.hasCheckpoint(keep)) {
            kept = log.readCheckpoint(keep);
        } else {
            kept = log.stateAt(keep);
            table.io().createIfAbsent(log.checkpointFile(keep), TableStateParser.toJson(kept));
        }
        for (ScopeId scope : kept.scopeIds()) {
            table.manifest(kept, scope);
        }
        TableState latestState = log.stateAt(latest);
        for (ScopeId scope : latestState.scopeIds()) {
            // roll forward what a crashed commit left behind while those commits are all here
            table.manifests().ensureCurrent(latestState, scope);
        }
        return kept;
    }

    /**
     * Step 2: the files the commits {@code oldest..keep} dropped ({@code kept} is the table at
     * {@code keep}).
     *
     * @return data files and manifest versions deleted
     */
    private static int[] deleteDropped(TieredTable table, long oldest, TableState kept)
            throws IOException {
        long keep = kept.commit();
        int dataFiles = 0;
        int manifests = 0;
        // where each scope lives: a scope stays in the storage its first change named
        Map<ScopeId, String> storages = new HashMap<>();
        kept.scopes().forEach((scope, state) -> storages.put(scope, state.storage()));
        for (long n = oldest; n <= keep; n++) {
            CommitRecord record = table.log().read(n);
            for (String hot : record.hotRetired()) {
                dataFiles += delete(table, new Path(table.layout().hotDir(), hot));
            }
            // flushed by the commit that made them: never live, needed only by change readers of
            // this (now expired) commit
            for (HotSegmentRef hot : record.hotFlushed()) {
                dataFiles += delete(table, new Path(table.layout().hotDir(), hot.path()));
            }
            for (ScopeChange change : record.scopeChanges()) {
                if (change.version() == 1) {
                    storages.put(change.scope(), change.storage());
                }
                Path dir =
                        table.layout()
                                .scopeDir(change.scope().userId(), storages.get(change.scope()));
                for (String batch : change.removedSegments()) {
                    dataFiles += delete(table, new Path(dir, batch));
                }
                if (change.version() > 1) {
                    manifests +=
                            delete(table, ManifestStore.versionFile(dir, change.version() - 1));
                }
            }
        }
        return new int[] {dataFiles, manifests};
    }

    /** Step 3: commits below {@code keep} first, so a crash leaves checkpoints to load them. */
    private static int deleteLogBelow(TieredTable table, List<Long> commits, long keep)
            throws IOException {
        CommitLog log = table.log();
        int removed = 0;
        for (long n : commits) {
            if (n < keep) {
                removed += delete(table, log.commitFile(n));
            }
        }
        for (long n : log.listCheckpoints()) {
            if (n < keep) {
                delete(table, log.checkpointFile(n));
            }
        }
        return removed;
    }

    /** The oldest commit the options and pins keep. */
    private static long floor(
            TieredTable table, MaintenanceOptions options, Clock clock, long oldest, long latest)
            throws IOException {
        long floor = Math.max(1, latest - options.retainCommits() + 1);
        long cutoff = clock.millis() - options.retainTime().toMillis();
        // Commit times grow with the commit number (one clock per committer, roughly): walk up
        // from the oldest until one is young enough; everything from there on is kept.
        for (long n = oldest; n < floor; n++) {
            if (table.log().read(n).timestampMillis() >= cutoff) {
                floor = n;
                break;
            }
        }
        for (Map.Entry<String, Long> pin : ReaderPins.live(table, clock.millis()).entrySet()) {
            floor = Math.min(floor, pin.getValue());
        }
        return floor;
    }

    private static int delete(TieredTable table, Path path) throws IOException {
        return table.io().delete(path) ? 1 : 0;
    }
}
