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

    /** Batch bytes per part of a large scope's key span in a bounded read. */
    static final long PART_BYTES = 8L << 20;

    /** The most parts a scope's snapshot is read in. */
    static final int MAX_PARTS = 64;

    /** A discovery round: splits for commits {@code from+1 .. through}. */
    public record Discovery(long from, long through, List<TieredSplit> splits) {}

    private final TieredTable table;
    private final ReadConfig config;
    private final ScopeId onlyScope;
    private final KeyRange keyRange;
    private final long partBytes;
    private TableState lastState;

    public SplitPlanner(TieredTable table, ReadConfig config) {
        this(table, config, PART_BYTES);
    }

    /** A planner that parts a scope's snapshot per {@code partBytes} of batches (tests). */
    SplitPlanner(TieredTable table, ReadConfig config, long partBytes) {
        this.partBytes = partBytes;
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
            addSnapshotSplits(state, scope, nowMillis, splits);
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

    /**
     * The snapshot split of a scope, or for a bounded read of a scope whose batches hold more than
     * {@link #PART_BYTES} under an integer key, one split per {@link #PART_BYTES} of batches (at
     * most {@link #MAX_PARTS}), each a part of the key span (see {@link #parts}), so that readers
     * share a large scope. Nothing for a scope without data.
     */
    private void addSnapshotSplits(
            TableState state, ScopeId scope, long nowMillis, List<TieredSplit> out)
            throws IOException {
        TableDefinition definition = table.definition();
        ScopeManifest manifest = table.manifest(state, scope);
        List<SegmentEntry> segments = new ArrayList<>();
        List<String> batches = new ArrayList<>();
        long batchBytes = 0;
        int keyId =
                definition.primaryKeyIndex() < 0
                        ? -1
                        : definition.columns().get(definition.primaryKeyIndex()).id();
        for (SegmentEntry segment : manifest.segments()) {
            ColumnStats stats = keyId < 0 ? null : segment.columnStats().get(keyId);
            if (stats != null && !keyRange.overlaps(stats.min(), stats.max())) {
                continue; // the manifest's key statistics rule the whole batch out
            }
            segments.add(segment);
            batches.add(ScopeReader.batchLocation(table, state, scope, segment));
            batchBytes += segment.sizeBytes();
        }
        long flushed = state.scope(scope).flushedThroughSeq();
        long ttlMillis =
                definition.type() == TableType.STREAM
                        ? definition.options().ttlMillis().orElse(Long.MAX_VALUE)
                        : Long.MAX_VALUE;
        List<String> hot = new ArrayList<>();
        long hotBytes = 0;
        for (HotSegmentRef segment : state.hotSegments()) {
            if (!segment.scopes().contains(scope) || segment.maxSeq() <= flushed) {
                continue; // every change in it is already in the batches
            }
            if (nowMillis - SnowflakeIds.timestampMillis(segment.maxSeq()) >= ttlMillis) {
                continue; // every event in it has expired
            }
            hot.add(segment.path());
            hotBytes += segment.sizeBytes();
        }
        if (batches.isEmpty() && hot.isEmpty()) {
            return;
        }
        TieredSplit whole =
                TieredSplit.snapshot(
                        scope,
                        state.commit(),
                        batches,
                        hot,
                        flushed,
                        state.timestampMillis(),
                        batchBytes + hotBytes);
        long[] span = config.isBounded() ? keySpan(segments, keyId) : null;
        int parts = span == null ? 1 : (int) Math.min(MAX_PARTS, batchBytes / partBytes + 1);
        if (parts < 2 || span[1] - span[0] < parts) {
            out.add(whole);
            return;
        }
        out.addAll(parts(whole, segments, span[0], span[1], parts, keyId, hotBytes));
    }

    /**
     * {@code [min, max]} of the key over the batches, within the scan's key range, or null if the
     * key is not an integer type, a batch has no key statistics or the span does not fit a long.
     */
    private long[] keySpan(List<SegmentEntry> segments, int keyId) {
        TableDefinition definition = table.definition();
        if (keyId < 0
                || definition.primaryKey().size() != 1
                || !TieredSplit.KeySpan.fits(
                        definition.columns().get(definition.primaryKeyIndex()).type())
                || segments.isEmpty()) {
            return null;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (SegmentEntry segment : segments) {
            ColumnStats stats = segment.columnStats().get(keyId);
            if (stats == null || stats.min() == null || stats.max() == null) {
                return null;
            }
            min = Math.min(min, asLong(stats.min()));
            max = Math.max(max, asLong(stats.max()));
        }
        if (keyRange.lower() != null) {
            min = Math.max(min, asLong(keyRange.lower()));
        }
        if (keyRange.upper() != null) {
            max = Math.min(max, asLong(keyRange.upper()));
        }
        return max - min > 0 ? new long[] {min, max} : null; // also false if it overflows
    }

    /**
     * A scope's snapshot as {@code parts} splits of equal key width over {@code [min, max]}: the
     * first part also takes every key below (down to the scan's lower bound), the last every key
     * above, as hot rows may lie outside the batches' statistics. Each part lists the batches whose
     * key statistics overlap it and every hot segment (its rows are filtered by the part's keys).
     */
    private List<TieredSplit> parts(
            TieredSplit whole,
            List<SegmentEntry> segments,
            long min,
            long max,
            int parts,
            int keyId,
            long hotBytes) {
        Long scanLower = asLong(keyRange.lower());
        Long scanUpper = asLong(keyRange.upper());
        long width = (max - min) / parts;
        List<TieredSplit> splits = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            long from = min + i * width;
            long to = i == parts - 1 ? max : from + width - 1;
            List<String> batches = new ArrayList<>();
            long bytes = hotBytes;
            for (int b = 0; b < segments.size(); b++) {
                ColumnStats stats = segments.get(b).columnStats().get(keyId);
                long low = asLong(stats.min());
                long high = asLong(stats.max());
                if ((i == 0 || high >= from) && (i == parts - 1 || low <= to)) {
                    batches.add(whole.batches().get(b));
                    bytes += overlapBytes(segments.get(b).sizeBytes(), low, high, from, to);
                }
            }
            TieredSplit.KeySpan span =
                    new TieredSplit.KeySpan(
                            i == 0 ? scanLower : Long.valueOf(from),
                            i == parts - 1 ? scanUpper : Long.valueOf(to));
            splits.add(whole.part(span, batches, bytes));
        }
        return splits;
    }

    /** An integer key value (Byte, Short, Integer or Long) as a Long; null stays null. */
    private static Long asLong(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    /** The share of a batch's bytes in {@code [from, to]}, its keys taken as evenly spread. */
    private static long overlapBytes(long bytes, long low, long high, long from, long to) {
        double spread = (double) high - low + 1;
        double overlap = Math.min((double) high, to) - Math.max((double) low, from) + 1;
        return overlap <= 0 ? 0 : (long) (bytes * Math.min(1.0, overlap / spread));
    }
}
