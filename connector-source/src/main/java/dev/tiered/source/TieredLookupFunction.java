package dev.tiered.source;

import dev.tiered.source.internal.lookup.LookupCache;
import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.cold.KeyRange;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.merge.Rows;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.TableDefinitionParser;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Point lookups of a tiered table by primary key, and by user id for USER tables (DESIGN §6, lookup
 * joins): the newest version of the key over both tiers, nothing for a deleted key, and for STREAM
 * tables nothing past {@code TTL_SECONDS}.
 *
 * <p>The lookup key row holds the primary key and, optionally, the user id column, in the order
 * given to {@link #forTable}. With a user id only that user's scope is read; without one every
 * scope is (a USER table's key may exist in several users' scopes; each match is returned).
 *
 * <p>Cache ({@link LookupOptions}): looked-up keys are kept with their rows. At most every {@code
 * lookup.refresh-interval} the function reads the commits made since its pinned commit and drops
 * the cached entries of every key those commits changed (it reads their hot segments; a user's
 * erasure drops everything), then pins the newest commit. A lookup therefore returns the values of
 * a commit no older than the refresh interval, and sees a change once its commit is followed.
 * STREAM rows are checked against the TTL when returned, cached or not.
 */
@PublicEvolving
public final class TieredLookupFunction extends LookupFunction {
    private static final long serialVersionUID = 1L;

    private final String baseUri;
    private final String definitionJson;
    private final List<String> lookupKeys;
    private final List<String> projection;
    private final LookupOptions.CacheMode cacheMode;
    private final long maxRows;
    private final long expireAfterWriteMillis;
    private final boolean cacheMissingKey;
    private final long refreshIntervalMillis;
    private final Clock clock;

    private transient TieredTable table;
    private transient TableState state;
    private transient long lastRefreshMillis;
    private transient LookupCache cache;
    private transient Rows rows;
    private transient ProjectedRowData projected;
    private transient int keyPos;
    private transient int keyInLookup;
    private transient int userInLookup;
    private transient RowData.FieldGetter keyGetter;
    private transient RowData.FieldGetter lookupKeyGetter;
    private transient Counter hits;
    private transient Counter misses;

    private TieredLookupFunction(Builder builder, TableDefinition definition) {
        this.baseUri = builder.baseUri;
        this.definitionJson = TableDefinitionParser.toJson(definition);
        this.lookupKeys = List.copyOf(builder.lookupKeys);
        this.projection = builder.projection == null ? null : List.copyOf(builder.projection);
        this.cacheMode = builder.cacheMode;
        this.maxRows = builder.maxRows;
        this.expireAfterWriteMillis =
                builder.expireAfterWrite == null
                        ? Long.MAX_VALUE
                        : builder.expireAfterWrite.toMillis();
        this.cacheMissingKey = builder.cacheMissingKey;
        this.refreshIntervalMillis = builder.refreshInterval.toMillis();
        this.clock = builder.clock;
    }

    /**
     * A lookup function of a table.
     *
     * @param lookupKeys the columns of the lookup key row, in order: the primary key and,
     *     optionally, the user id column of a USER table
     */
    public static Builder forTable(String baseUri, String tableId, String... lookupKeys) {
        return new Builder(baseUri, tableId, List.of(lookupKeys));
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        TableDefinition definition = TableDefinitionParser.fromJson(definitionJson);
        table =
                TieredTable.open(
                        new FlinkFileIO(),
                        new Path(baseUri),
                        definition.namespace(),
                        definition.name());
        state = table.latestState();
        lastRefreshMillis = clock.millis();
        cache =
                new LookupCache(
                        cacheMode == LookupOptions.CacheMode.NONE ? 0 : maxRows,
                        expireAfterWriteMillis);
        RowType rowType = definition.rowType();
        int[] produced = producedIndexes(definition, projection);
        RowType producedType =
                RowType.of(
                        java.util.Arrays.stream(produced)
                                .mapToObj(rowType::getTypeAt)
                                .toArray(LogicalType[]::new));
        rows = new Rows(producedType);
        projected = ProjectedRowData.from(produced);
        keyPos = definition.primaryKeyIndex();
        keyGetter = RowData.createFieldGetter(rowType.getTypeAt(keyPos), keyPos);
        keyInLookup = lookupKeys.indexOf(definition.primaryKey().get(0));
        lookupKeyGetter = RowData.createFieldGetter(rowType.getTypeAt(keyPos), keyInLookup);
        userInLookup =
                definition.userIdIndex() < 0
                        ? -1
                        : lookupKeys.indexOf(definition.options().userIdColumn());
        hits = context.getMetricGroup().counter("lookupHits");
        misses = context.getMetricGroup().counter("lookupMisses");
        context.getMetricGroup().gauge("lookupCacheSize", () -> cache.size());
    }

    @Override
    public Collection<RowData> lookup(RowData keyRow) throws IOException {
        long now = clock.millis();
        if (now - lastRefreshMillis >= refreshIntervalMillis) {
            refresh();
            lastRefreshMillis = now;
        }
        if (keyRow.isNullAt(keyInLookup)) {
            return List.of();
        }
        Object key = cacheable(lookupKeyGetter.getFieldOrNull(keyRow));
        String userId =
                userInLookup < 0 || keyRow.isNullAt(userInLookup)
                        ? null
                        : keyRow.getString(userInLookup).toString();
        LookupCache.Key cacheKey =
                new LookupCache.Key(userId == null ? LookupCache.Key.ANY_USER : userId, key);
        LookupCache.Entry entry = cache.get(cacheKey, now);
        if (entry != null) {
            hits.inc();
        } else {
            misses.inc();
            entry = read(userId, key, now);
            if (!entry.rows().isEmpty() || cacheMissingKey) {
                cache.put(cacheKey, entry);
            }
        }
        return live(entry, now);
    }

    /**
     * Follows the commit log: drops cached entries of every key changed since the pinned commit.
     */
    private void refresh() throws IOException {
        long latest = table.log().latestCommit();
        if (latest == state.commit()) {
            return;
        }
        for (long commit = state.commit() + 1; commit <= latest && !cache.isEmpty(); commit++) {
            CommitRecord record = table.log().read(commit);
            for (ScopeChange change : record.scopeChanges()) {
                if (change.erased()) {
                    cache.clear();
                }
            }
            for (HotSegmentRef segment : record.changedSegments()) {
                invalidateChangedKeys(segment);
            }
        }
        state = table.stateAt(latest);
    }

    private void invalidateChangedKeys(HotSegmentRef segment) throws IOException {
        Path file = new Path(table.layout().hotDir(), segment.path());
        try (HotSegmentReader reader =
                HotSegmentReader.open(
                        file.getFileSystem(), file, table.definition(), scope -> true)) {
            while (reader.next() && !cache.isEmpty()) {
                cache.invalidate(
                        reader.scope().userId(), cacheable(keyGetter.getFieldOrNull(reader.row())));
            }
        }
    }

    /** Reads the key's rows at the pinned commit: one scope, or every scope without a user. */
    private LookupCache.Entry read(String userId, Object key, long now) throws IOException {
        List<ScopeId> scopes = new ArrayList<>();
        if (table.definition().type() != TableType.USER) {
            scopes.add(ScopeId.SHARED);
        } else if (userId != null) {
            scopes.add(ScopeId.user(userId));
        } else {
            TreeSet<ScopeId> all = new TreeSet<>(state.scopes().keySet());
            state.hotSegments().forEach(h -> all.addAll(h.scopes()));
            scopes.addAll(all);
        }
        List<RowData> found = new ArrayList<>(1);
        List<Long> seqs = new ArrayList<>(1);
        Object raw = key instanceof ByteBuffer b ? b.array() : key;
        KeyRange point = KeyRange.point(raw);
        KeyRange notAbove = KeyRange.between(null, raw);
        BatchReadSpec spec = new BatchReadSpec(projection, point);
        for (ScopeId scope : scopes) {
            try (ChangeCursor cursor = ScopeReader.open(table, state, scope, spec, now, false)) {
                // Batches return only the key; the scope's hot rows come in key order around it.
                while (cursor.next()) {
                    Object at = keyGetter.getFieldOrNull(cursor.row());
                    if (point.contains(at)) {
                        if (cursor.op() == ChangeOp.UPSERT) {
                            projected.replaceRow(cursor.row());
                            found.add(rows.copy(projected));
                            seqs.add(cursor.seq());
                        }
                        break;
                    }
                    if (!notAbove.contains(at)) {
                        break;
                    }
                }
            }
        }
        return new LookupCache.Entry(
                List.copyOf(found), seqs.stream().mapToLong(Long::longValue).toArray(), now);
    }

    /** The entry's rows that are not past a STREAM table's TTL at {@code now}. */
    private Collection<RowData> live(LookupCache.Entry entry, long now) {
        if (table.definition().type() != TableType.STREAM || entry.rows().isEmpty()) {
            return entry.rows();
        }
        long ttl = table.definition().options().ttlMillis().orElse(Long.MAX_VALUE);
        List<RowData> live = new ArrayList<>(entry.rows().size());
        for (int i = 0; i < entry.rows().size(); i++) {
            if (now - SnowflakeIds.timestampMillis(entry.seqs()[i]) < ttl) {
                live.add(entry.rows().get(i));
            }
        }
        return live;
    }

    /** A key value safe to keep and to compare by value. */
    private static Object cacheable(Object key) {
        if (key instanceof BinaryStringData s) {
            return s.copy();
        }
        if (key instanceof StringData s) {
            return StringData.fromString(s.toString());
        }
        if (key instanceof byte[] b) {
            return ByteBuffer.wrap(b.clone());
        }
        return key;
    }

    private static int[] producedIndexes(TableDefinition definition, List<String> projection) {
        if (projection == null) {
            return java.util.stream.IntStream.range(0, definition.columns().size()).toArray();
        }
        return projection.stream().mapToInt(definition::columnIndex).toArray();
    }

    @VisibleForTesting
    long hitCount() {
        return hits.getCount();
    }

    @VisibleForTesting
    long missCount() {
        return misses.getCount();
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.clear();
        }
    }

    /** Builds a {@link TieredLookupFunction}; every check happens in {@link #build()}. */
    @PublicEvolving
    public static final class Builder {
        private final String baseUri;
        private final String tableId;
        private final List<String> lookupKeys;
        private List<String> projection;
        private LookupOptions.CacheMode cacheMode = LookupOptions.CACHE.defaultValue();
        private long maxRows = LookupOptions.PARTIAL_CACHE_MAX_ROWS.defaultValue();
        private Duration expireAfterWrite;
        private boolean cacheMissingKey =
                LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY.defaultValue();
        private Duration refreshInterval = LookupOptions.REFRESH_INTERVAL.defaultValue();
        private Clock clock = Clock.systemUTC();

        private Builder(String baseUri, String tableId, List<String> lookupKeys) {
            this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
            this.tableId = Objects.requireNonNull(tableId, "tableId");
            this.lookupKeys = lookupKeys;
        }

        /** The columns of the rows returned, in order; all columns by default. */
        public Builder selectColumns(String... columns) {
            this.projection = List.of(columns);
            return this;
        }

        /** Applies the {@code lookup.*} options of {@link LookupOptions} that are set. */
        public Builder withOptions(ReadableConfig options) {
            options.getOptional(LookupOptions.CACHE).ifPresent(v -> cacheMode = v);
            options.getOptional(LookupOptions.PARTIAL_CACHE_MAX_ROWS).ifPresent(v -> maxRows = v);
            options.getOptional(LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_WRITE)
                    .ifPresent(v -> expireAfterWrite = v);
            options.getOptional(LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY)
                    .ifPresent(v -> cacheMissingKey = v);
            options.getOptional(LookupOptions.REFRESH_INTERVAL).ifPresent(v -> refreshInterval = v);
            return this;
        }

        @VisibleForTesting
        Builder withClock(Clock testClock) {
            this.clock = Objects.requireNonNull(testClock, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming what to change
         * @throws UncheckedIOException if the table cannot be opened
         */
        public TieredLookupFunction build() {
            String prefix = "Cannot build lookup function of " + tableId + ": ";
            int dot = tableId.indexOf('.');
            if (dot <= 0 || dot != tableId.lastIndexOf('.')) {
                throw new IllegalArgumentException(prefix + "table id is not 'namespace.table'");
            }
            TableDefinition definition;
            try {
                definition =
                        TieredTable.open(
                                        new FlinkFileIO(),
                                        new Path(baseUri),
                                        tableId.substring(0, dot),
                                        tableId.substring(dot + 1))
                                .definition();
            } catch (IOException e) {
                throw new UncheckedIOException(prefix + e.getMessage(), e);
            }
            if (definition.primaryKeyIndex() < 0) {
                throw new IllegalArgumentException(prefix + "lookups need a primary key");
            }
            String key = definition.primaryKey().get(0);
            String user =
                    definition.type() == TableType.USER
                            ? definition.options().userIdColumn()
                            : null;
            if (!lookupKeys.contains(key)) {
                throw new IllegalArgumentException(
                        prefix + "the lookup keys " + lookupKeys + " must include '" + key + "'");
            }
            for (String column : lookupKeys) {
                if (!column.equals(key) && !column.equals(user)) {
                    throw new IllegalArgumentException(
                            prefix
                                    + "lookups are by primary key"
                                    + (user == null ? "" : " and user id ('" + user + "')")
                                    + ", not by '"
                                    + column
                                    + "'");
                }
            }
            if (projection != null) {
                for (String column : projection) {
                    if (definition.columnIndex(column) < 0) {
                        throw new IllegalArgumentException(prefix + "no column '" + column + "'");
                    }
                }
            }
            if (maxRows < 0 || refreshInterval.isNegative()) {
                throw new IllegalArgumentException(
                        prefix
                                + "'lookup.partial-cache.max-rows' and 'lookup.refresh-interval'"
                                + " must not be negative");
            }
            return new TieredLookupFunction(this, definition);
        }
    }
}
