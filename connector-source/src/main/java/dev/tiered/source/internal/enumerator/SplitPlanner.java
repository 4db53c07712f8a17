package dev.tiered.source.internal.enumerator;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.KeyRange;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.ColumnStats;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.annotation.Internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Plans splits from the commit log. Pure planning over metadata: it reads commit records, table
 * states and manifests, never data files. The enumerator calls it on its worker thread only (it
 * keeps the last table state it read).
 *
 * <p>A snapshot split per scope at the pinned commit holds the scope's batches (pruned by the key
 * range against the manifest's key statistics) and the live hot segments with changes of the scope
 * above its flushed-through bound. A changes split per (commit, scope) holds the hot segments the
 * commit added with changes of the scope: every change is written to exactly one hot segment, so
 * commits that add none (compactions, expiry, erasures) and the batches of flushes produce no
 * changes.
 */
@Internal
public final class SplitPlanner {
    /** Commits planned per discovery round at most, so a far-behind reader catches up in steps. */
    static final int MAX_COMMITS_PER_ROUND = 64;

    /** A discovery round: splits for commits {@code from+1 .. through}. */
    public record Discovery(long from, long through, List<TieredSplit> splits) {}

    private final TieredTable table;
    private final ReadConfig config;
    private final ScopeId onlyScope;
    private final KeyRange keyRange;
    private TableState lastState;

    public SplitPlanner(TieredTable table, ReadConfig config) {
        this.table = table;
        this.config = config;
        this.onlyScope = config.userId() == null ? null : ScopeId.user(config.userId());
        this.keyRange = config.keyRange();
    }

    /**
     * The commit a scan starts at: the snapshot's commit for bounded and {@code full} scans, the
     * commit after which changes are read for {@code latest} and {@code from-commit}.
     */
    public long startCommit() throws IOException {
        ScanMode mode = config.isBounded() ? ScanMode.FULL : config.scanMode();
        if (mode == ScanMode.LATEST) {
            return table.log().latestCommit();
        }
        if (config.startCommit() != null) {
            long latest = table.log().latestCommit();
            if (config.startCommit() > latest) {
                throw new IllegalArgumentException(
                        "Cannot start scan of "
                                + table.definition().tableId()
                                + " at commit "
                                + config.startCommit()
                                + ": the newest commit is "
                                + latest);
            }
            return config.startCommit();
        }
        if (config.startTimestampMillis() != null) {
            return commitAt(config.startTimestampMillis());
        }
        if (mode == ScanMode.FROM_COMMIT) {
            throw new IllegalArgumentException(
                    "'scan.commit' or 'scan.timestamp' is required in 'from-commit' scan mode");
        }
        return table.log().latestCommit();
    }

    /** Whether the scan starts with a snapshot of the table at {@link #startCommit()}. */
    public boolean readsSnapshot() {
        return config.isBounded() || config.scanMode() == ScanMode.FULL;
    }

    /**
     * The last commit at or before {@code timestampMillis} (0 if none): a binary search over the
     * log, whose commit times do not decrease (one committer's clock stamps them in order).
     */
    public long commitAt(long timestampMillis) throws IOException {
        long low = 1;
        long high = table.log().latestCommit();
        long found = 0;
        while (low <= high) {
            long mid = (low + high) >>> 1;
            if (table.log().read(mid).timestampMillis() <= timestampMillis) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    /** One split per scope with data at {@code commit}. */
    public List<TieredSplit> snapshot(long commit, long nowMillis) throws IOException {
        return snapshot(commit, snapshotScopes(commit), nowMillis);
    }

    /**
     * The scopes with data at {@code commit} (of the user read, for a one-user scan), in scope
     * order: cheap, from the table state alone. {@link #snapshot(long, List, long)} plans their
     * splits, which reads each scope's manifest.
     */
    public List<ScopeId> snapshotScopes(long commit) throws IOException {
        if (commit == 0) {
            return List.of();
        }
        TableState state = stateAt(commit);
        TreeSet<ScopeId> scopes = new TreeSet<>(state.scopes().keySet());
        for (HotSegmentRef hot : state.hotSegments()) {
            scopes.addAll(hot.scopes());
        }
        if (onlyScope != null) {
            return scopes.contains(onlyScope) ? List.of(onlyScope) : List.of();
        }
        return new ArrayList<>(scopes);
    }

    /** The snapshot splits of {@code scopes} at {@code commit}; a scope without data has none. */
    public List<TieredSplit> snapshot(long commit, List<ScopeId> scopes, long nowMillis)
            throws IOException {
        if (commit == 0 || scopes.isEmpty()) {
            return List.of();
        }
        TableState state = stateAt(commit);
        List<TieredSplit> splits = new ArrayList<>(scopes.size());
        for (ScopeId scope : scopes) {
            TieredSplit split = snapshotSplit(state, scope, nowMillis);
            if (split != null) {
                splits.add(split);
            }
        }
        return splits;
    }

    /** The table state at a commit; the last one is kept, as a snapshot is planned in parts. */
    private TableState stateAt(long commit) throws IOException {
        TableState state = lastState;
        if (state == null || state.commit() != commit) {
            state = table.stateAt(commit);
            lastState = state;
        }
        return state;
    }

    /** Splits for the commits after {@code from}, up to a bounded number of commits. */
    public Discovery discover(long from) throws IOException {
        long latest = table.log().latestCommit();
        long through = Math.min(latest, from + MAX_COMMITS_PER_ROUND);
        List<TieredSplit> splits = new ArrayList<>();
        for (long commit = from + 1; commit <= through; commit++) {
            splits.addAll(changes(table.log().read(commit)));
        }
        return new Discovery(from, Math.max(from, through), splits);
    }

    /** One split per scope the commit changed, in the order of its hot segments. */
    List<TieredSplit> changes(CommitRecord record) {
        Map<ScopeId, List<String>> files = new LinkedHashMap<>();
        Map<ScopeId, Long> sizes = new LinkedHashMap<>();
        for (HotSegmentRef hot : record.changedSegments()) {
            for (ScopeId scope : hot.scopes()) {
                if (onlyScope == null || onlyScope.equals(scope)) {
                    files.computeIfAbsent(scope, s -> new ArrayList<>()).add(hot.path());
                    sizes.merge(scope, hot.sizeBytes(), Long::sum);
                }
            }
        }
        List<TieredSplit> splits = new ArrayList<>(files.size());
        files.forEach(
                (scope, paths) ->
                        splits.add(
                                TieredSplit.changes(
                                        scope,
                                        record.commit(),
                                        paths,
                                        record.timestampMillis(),
                                        sizes.get(scope))));
        return splits;
    }

    private TieredSplit snapshotSplit(TableState state, ScopeId scope, long nowMillis)
            throws IOException {
        TableDefinition definition = table.definition();
        ScopeManifest manifest = table.manifest(state, scope);
        List<String> batches = new ArrayList<>();
        long size = 0;
        int keyId =
                definition.primaryKeyIndex() < 0
                        ? -1
                        : definition.columns().get(definition.primaryKeyIndex()).id();
        for (SegmentEntry segment : manifest.segments()) {
            ColumnStats stats = keyId < 0 ? null : segment.columnStats().get(keyId);
            if (stats != null && !keyRange.overlaps(stats.min(), stats.max())) {
                continue; // the manifest's key statistics rule the whole batch out
            }
            batches.add(ScopeReader.batchLocation(table, state, scope, segment));
            size += segment.sizeBytes();
        }
        long flushed = state.scope(scope).flushedThroughSeq();
        long ttlMillis =
                definition.type() == TableType.STREAM
                        ? definition.options().ttlMillis().orElse(Long.MAX_VALUE)
                        : Long.MAX_VALUE;
        List<String> hot = new ArrayList<>();
        for (HotSegmentRef segment : state.hotSegments()) {
            if (!segment.scopes().contains(scope) || segment.maxSeq() <= flushed) {
                continue; // every change in it is already in the batches
            }
            if (nowMillis - SnowflakeIds.timestampMillis(segment.maxSeq()) >= ttlMillis) {
                continue; // every event in it has expired
            }
            hot.add(segment.path());
            size += segment.sizeBytes();
        }
        if (batches.isEmpty() && hot.isEmpty()) {
            return null;
        }
        return TieredSplit.snapshot(
                scope, state.commit(), batches, hot, flushed, state.timestampMillis(), size);
    }
}
