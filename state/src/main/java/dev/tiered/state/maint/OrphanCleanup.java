package dev.tiered.state.maint;

import dev.tiered.state.TieredTable;

import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the leftovers of failed attempts (DESIGN §9): batches and hot segments a crashed or
 * refused attempt wrote but no commit lists, temp files of interrupted writes, manifest versions
 * below the oldest retained commit, manifests of scope directories no retained commit has. A file
 * is removed only when it is older than {@code orphan-files.grace-period}: a younger one may belong
 * to an attempt that is still about to commit. Files referenced by any retained commit are never
 * touched, nor are commit files, table definitions, pins or dead letters.
 *
 * <p>Crash behaviour: it only deletes files nothing references, one by one; a crash leaves some of
 * them, and the next run removes the rest.
 */
public final class OrphanCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanCleanup.class);

    /** One unreferenced file. */
    public record Orphan(String path, String kind, long sizeBytes, long modifiedMillis) {}

    /**
     * What a run did.
     *
     * @param deleted the orphans older than the grace period, now deleted
     * @param kept the orphans younger than the grace period, left for a later run
     */
    public record Result(String tableId, List<Orphan> deleted, List<Orphan> kept) {
        public Result {
            deleted = List.copyOf(deleted);
            kept = List.copyOf(kept);
        }

        public long bytesDeleted() {
            return deleted.stream().mapToLong(Orphan::sizeBytes).sum();
        }
    }

    private OrphanCleanup() {}

    /** The orphans of the table, without deleting anything (storage checks report them). */
    public static List<Orphan> find(TieredTable table) throws IOException {
        List<Orphan> orphans = new ArrayList<>();
        for (TableFiles.Unreferenced file : TableFiles.of(table).unreferenced()) {
            try {
                orphans.add(
                        new Orphan(
                                file.path().toString(),
                                file.kind(),
                                table.io().length(file.path()),
                                table.io().modifiedMillis(file.path())));
            } catch (FileNotFoundException e) {
                // deleted since it was listed (a temp file of a write that just finished)
            }
        }
        return orphans;
    }

    /** Deletes the orphans older than the grace period at the clock's now. */
    public static Result clean(TieredTable table, MaintenanceOptions options, Clock clock)
            throws IOException {
        long cutoff = clock.millis() - options.orphanGracePeriod().toMillis();
        List<Orphan> deleted = new ArrayList<>();
        List<Orphan> kept = new ArrayList<>();
        for (Orphan orphan : find(table)) {
            if (orphan.modifiedMillis() <= cutoff) {
                table.io().delete(new Path(orphan.path()));
                deleted.add(orphan);
            } else {
                kept.add(orphan);
            }
        }
        if (!deleted.isEmpty() || !kept.isEmpty()) {
            LOG.info(
                    "Orphan cleanup of {}: deleted {} files ({} bytes), kept {} younger than {}",
                    table.definition().tableId(),
                    deleted.size(),
                    deleted.stream().mapToLong(Orphan::sizeBytes).sum(),
                    kept.size(),
                    options.orphanGracePeriod());
        }
        return new Result(table.definition().tableId(), deleted, kept);
    }
}
