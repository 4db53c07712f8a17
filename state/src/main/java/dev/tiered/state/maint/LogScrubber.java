package dev.tiered.state.maint;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentFile;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.log.CommitLog;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.meta.TableStateParser;

import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Rewrites a table's history without one scope, after the commit that erased it: every hot segment
 * a retained commit names is rewritten in place without the scope's rows (deleted when nothing else
 * is left), then every commit record and log checkpoint up to the erase commit is rewritten without
 * the scope — its manifest versions and its place in hot segments' scope lists — and the erase
 * commit itself last.
 *
 * <p>The scrubbed log folds as if the scope had never existed, which is the table after the erase
 * anyway. Readers that fold while the scrub runs meet either the old or the new record of each
 * commit: an erase of a scope a state lacks is a no-op, and a state cached from before the scrub is
 * re-folded from the files when its fold reaches the erase commit ({@link CommitLog#stateAt}).
 * Crash behaviour: every rewrite is an atomic overwrite of a whole file with content that does not
 * depend on the run, so re-running the erase finishes the job.
 */
final class LogScrubber {
    private static final Logger LOG = LoggerFactory.getLogger(LogScrubber.class);

    private final TieredTable table;
    private final ScopeId scope;
    private final Map<String, HotSegmentRef> rewrittenHot = new HashMap<>();
    private int filesRewritten;

    LogScrubber(TieredTable table, ScopeId scope) {
        this.table = table;
        this.scope = scope;
    }

    /** Files rewritten or deleted so far. */
    int filesRewritten() {
        return filesRewritten;
    }

    /** Scrubs every commit and checkpoint up to {@code eraseCommit}, that one last. */
    void scrubThrough(long eraseCommit) throws IOException {
        CommitLog log = table.log();
        List<Long> commits = new ArrayList<>();
        for (long n : log.listCommits()) {
            if (n <= eraseCommit) {
                commits.add(n);
            }
        }
        Map<Long, CommitRecord> records = new LinkedHashMap<>();
        for (long n : commits) {
            records.put(n, log.read(n));
        }
        for (long n : log.listCheckpoints()) {
            if (n <= eraseCommit) {
                for (HotSegmentRef hot : log.readCheckpoint(n).hotSegments()) {
                    scrubHotFile(hot);
                }
            }
        }
        for (CommitRecord record : records.values()) {
            for (HotSegmentRef hot : record.hotAdded()) {
                scrubHotFile(hot);
            }
        }
        for (CommitRecord record : records.values()) {
            if (record.commit() != eraseCommit) {
                rewriteCommit(record);
            }
        }
        for (long n : log.listCheckpoints()) {
            if (n <= eraseCommit) {
                TableState state = log.readCheckpoint(n);
                TableState scrubbed = scrub(state);
                if (!scrubbed.equals(state)) {
                    table.io().overwrite(log.checkpointFile(n), TableStateParser.toJson(scrubbed));
                    filesRewritten++;
                }
            }
        }
        CommitRecord erase = records.get(eraseCommit);
        if (erase != null) {
            rewriteCommit(erase);
        }
        log.forget();
    }

    private void rewriteCommit(CommitRecord record) throws IOException {
        CommitRecord scrubbed = scrub(record);
        if (!scrubbed.equals(record)) {
            table.io()
                    .overwrite(
                            table.log().commitFile(record.commit()),
                            table.log().serialize(scrubbed));
            filesRewritten++;
        }
    }

    private CommitRecord scrub(CommitRecord record) {
        List<ScopeChange> changes = new ArrayList<>();
        for (ScopeChange change : record.scopeChanges()) {
            if (!change.scope().equals(scope)) {
                changes.add(change);
            }
        }
        return new CommitRecord(
                record.commit(),
                record.operation(),
                record.writerId(),
                record.checkpointId(),
                record.timestampMillis(),
                record.schemaVersion(),
                record.maxSeq(),
                scrubRefs(record.hotAdded()),
                record.hotRetired(),
                changes);
    }

    private TableState scrub(TableState state) {
        Map<ScopeId, TableState.ScopeState> scopes = new HashMap<>(state.scopes());
        scopes.remove(scope);
        return new TableState(
                state.commit(),
                state.timestampMillis(),
                state.schemaVersion(),
                state.maxSeq(),
                scrubRefs(state.hotSegments()),
                scopes,
                state.writers());
    }

    private List<HotSegmentRef> scrubRefs(List<HotSegmentRef> refs) {
        List<HotSegmentRef> scrubbed = new ArrayList<>(refs.size());
        for (HotSegmentRef ref : refs) {
            scrubbed.add(rewrittenHot.getOrDefault(ref.path(), ref));
        }
        return scrubbed;
    }

    /**
     * Rewrites a hot segment that holds the scope's rows without them, in place; deletes it if
     * nothing else is left (its reference then lists no scope and no rows, and nobody reads it).
     */
    private void scrubHotFile(HotSegmentRef ref) throws IOException {
        if (!ref.scopes().contains(scope) || rewrittenHot.containsKey(ref.path())) {
            return;
        }
        Path file = new Path(table.layout().hotDir(), ref.path());
        List<ScopeId> others = new ArrayList<>(ref.scopes());
        others.remove(scope);
        HotSegmentRef scrubbed;
        if (!table.io().exists(file)) {
            scrubbed = emptied(ref); // expired, or deleted by an earlier run of this scrub
        } else {
            HotSegmentFile written = rewriteInPlace(file);
            scrubbed =
                    written == null
                            ? emptied(ref)
                            : new HotSegmentRef(
                                    ref.path(),
                                    ref.writerId(),
                                    ref.checkpointId(),
                                    written.minSeq(),
                                    written.maxSeq(),
                                    written.rowCount(),
                                    table.io().length(file),
                                    others);
        }
        rewrittenHot.put(ref.path(), scrubbed);
    }

    /**
     * Hot segments no retained commit names — a writer's checkpoint that failed, or one being
     * committed right now — that hold the scope's rows are rewritten in place without them too. (A
     * commit of such a segment still in flight then lists the old size: the storage check reports
     * it, reads are unaffected.) A file that does not read as a hot segment is left and logged.
     */
    void scrubUnreferencedHotSegments() throws IOException {
        for (TableFiles.Unreferenced file : TableFiles.of(table).unreferenced()) {
            if (!file.kind().equals(TableFiles.HOT_SEGMENT)) {
                continue;
            }
            try (ChangeCursor rows =
                    HotSegmentReader.open(
                            file.path().getFileSystem(),
                            file.path(),
                            table.definition(),
                            scope::equals)) {
                if (!rows.next()) {
                    continue;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot read unreferenced hot segment {}; left as it is", file.path(), e);
                continue;
            }
            rewriteInPlace(file.path());
        }
    }

    /**
     * Rewrites a hot segment without the scope's rows, atomically in place; deletes it if nothing
     * else is left (returns null then).
     */
    private HotSegmentFile rewriteInPlace(Path file) throws IOException {
        Path temp = new Path(table.layout().hotDir(), "." + UUID.randomUUID() + ".erase.tmp");
        try {
            HotSegmentFile written = copyWithout(table, file, scope, temp);
            if (written == null) {
                table.io().delete(file);
            } else {
                table.io().overwrite(file, table.io().read(temp));
            }
            filesRewritten++;
            return written;
        } finally {
            table.io().delete(temp);
        }
    }

    private static HotSegmentRef emptied(HotSegmentRef ref) {
        return new HotSegmentRef(
                ref.path(), ref.writerId(), ref.checkpointId(), 0, 0, 0, 0, List.of());
    }

    /**
     * The changes of hot segment {@code source} outside {@code scope}, written to the new file
     * {@code target}; null (and no file) if there are none.
     */
    static HotSegmentFile copyWithout(TieredTable table, Path source, ScopeId scope, Path target)
            throws IOException {
        return Segments.copyHotSegment(table.definition(), source, target, s -> !s.equals(scope));
    }
}
