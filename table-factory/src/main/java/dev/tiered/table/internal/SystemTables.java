package dev.tiered.table.internal;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The read-only metadata tables of a tiered catalog: {@code system.tables}, {@code storages},
 * {@code manifests}, {@code commits}, {@code flushes}, and per table {@code t$files}, {@code
 * t$commits}, {@code t$scopes}. Rows are read from the warehouse when the query runs.
 */
@Internal
public final class SystemTables {
    /** The database that holds the SYSTEM tables. */
    public static final String DATABASE = "system";

    /** Option of a system table's catalog entry: its {@link Kind}. */
    public static final String OPTION_KIND = "tiered.system";

    /** Option of a per-table view's catalog entry: the table, {@code ns.table}. */
    public static final String OPTION_VIEW_OF = "tiered.system.table";

    /** A system table or per-table view, with its columns. */
    public enum Kind {
        TABLES(
                false,
                col("table_id", DataTypes.STRING()),
                col("namespace", DataTypes.STRING()),
                col("table_name", DataTypes.STRING()),
                col("table_type", DataTypes.STRING()),
                col("flush_policy", DataTypes.STRING()),
                col("ttl_seconds", DataTypes.BIGINT()),
                col("access_level", DataTypes.STRING()),
                col("storage_id", DataTypes.STRING()),
                col("primary_key", DataTypes.STRING()),
                col("user_id_column", DataTypes.STRING()),
                col("schema_version", DataTypes.INT()),
                col("last_commit", DataTypes.BIGINT())),
        STORAGES(
                false,
                col("storage_id", DataTypes.STRING()),
                col("base_uri", DataTypes.STRING()),
                col("is_default", DataTypes.BOOLEAN())),
        MANIFESTS(
                false,
                col("table_id", DataTypes.STRING()),
                col("user_id", DataTypes.STRING()),
                col("version", DataTypes.BIGINT()),
                col("last_commit", DataTypes.BIGINT()),
                col("batches", DataTypes.INT()),
                col("row_count", DataTypes.BIGINT()),
                col("size_bytes", DataTypes.BIGINT()),
                col("flushed_through_seq", DataTypes.BIGINT()),
                col("updated_at", DataTypes.TIMESTAMP_LTZ(3))),
        COMMITS(
                false,
                col("table_id", DataTypes.STRING()),
                col("commit_id", DataTypes.BIGINT()),
                col("operation", DataTypes.STRING()),
                col("writer_id", DataTypes.STRING()),
                col("checkpoint_id", DataTypes.BIGINT()),
                col("committed_at", DataTypes.TIMESTAMP_LTZ(3)),
                col("hot_segments_added", DataTypes.INT()),
                col("hot_segments_retired", DataTypes.INT()),
                col("scopes_changed", DataTypes.INT())),
        FLUSHES(
                false,
                col("table_id", DataTypes.STRING()),
                col("commit_id", DataTypes.BIGINT()),
                col("user_id", DataTypes.STRING()),
                col("writer_id", DataTypes.STRING()),
                col("batches_added", DataTypes.INT()),
                col("row_count", DataTypes.BIGINT()),
                col("size_bytes", DataTypes.BIGINT()),
                col("flushed_through_seq", DataTypes.BIGINT()),
                col("committed_at", DataTypes.TIMESTAMP_LTZ(3))),
        FILES(
                true,
                col("table_id", DataTypes.STRING()),
                col("user_id", DataTypes.STRING()),
                col("kind", DataTypes.STRING()),
                col("path", DataTypes.STRING()),
                col("row_count", DataTypes.BIGINT()),
                col("size_bytes", DataTypes.BIGINT()),
                col("min_seq", DataTypes.BIGINT()),
                col("max_seq", DataTypes.BIGINT())),
        SCOPES(
                true,
                col("table_id", DataTypes.STRING()),
                col("user_id", DataTypes.STRING()),
                col("manifest_version", DataTypes.BIGINT()),
                col("batches", DataTypes.INT()),
                col("row_count", DataTypes.BIGINT()),
                col("size_bytes", DataTypes.BIGINT()),
                col("hot_segments", DataTypes.INT()),
                col("flushed_through_seq", DataTypes.BIGINT()),
                col("directory", DataTypes.STRING())),
        USERS(false, col("user_id", DataTypes.STRING()), col("storage_id", DataTypes.STRING())),
        TABLE_COMMITS(true, COMMITS.columns);

        private final boolean perTable;
        private final Col[] columns;

        Kind(boolean perTable, Col... columns) {
            this.perTable = perTable;
            this.columns = columns;
        }

        public boolean perTable() {
            return perTable;
        }

        /** The name in {@code system} or after {@code $}. */
        public String tableName() {
            return this == TABLE_COMMITS ? "commits" : name().toLowerCase(Locale.ROOT);
        }

        public Schema schema() {
            Schema.Builder builder = Schema.newBuilder();
            for (Col c : columns) {
                builder.column(c.name(), c.type());
            }
            return builder.build();
        }

        public DataType rowType() {
            return DataTypes.ROW(
                    Arrays.stream(columns)
                            .map(c -> DataTypes.FIELD(c.name(), c.type()))
                            .toArray(DataTypes.Field[]::new));
        }

        /** The system table of {@code system.<name>}. */
        public static Optional<Kind> global(String name) {
            for (Kind kind : values()) {
                if (!kind.perTable && kind.tableName().equals(name)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }

        /** The per-table view of {@code t$<suffix>}. */
        public static Optional<Kind> perTable(String suffix) {
            for (Kind kind : values()) {
                if (kind.perTable && kind.tableName().equals(suffix)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }

        public static List<String> globalNames() {
            return Arrays.stream(values())
                    .filter(k -> !k.perTable)
                    .map(Kind::tableName)
                    .collect(Collectors.toList());
        }
    }

    private record Col(String name, DataType type) {}

    private static Col col(String name, DataType type) {
        return new Col(name, type);
    }

    private SystemTables() {}

    /**
     * The rows of a system table as the warehouse is now.
     *
     * @param tableId for per-table views, {@code ns.table}; else null
     */
    public static List<RowData> rows(Kind kind, Storages storages, String tableId)
            throws IOException {
        List<RowData> rows = new ArrayList<>();
        if (kind == Kind.STORAGES) {
            storages.uris()
                    .forEach(
                            (id, uri) ->
                                    rows.add(
                                            GenericRowData.of(
                                                    str(id), str(uri), "local".equals(id))));
            return rows;
        }
        if (kind == Kind.USERS) {
            storages.userStorages()
                    .assignments(storages.io())
                    .forEach(
                            (user, storage) ->
                                    rows.add(GenericRowData.of(str(user), str(storage))));
            return rows;
        }
        for (TieredTable table : tablesOf(storages, tableId)) {
            TableState state = table.latestState();
            switch (kind) {
                case TABLES -> rows.add(tableRow(table.definition(), state));
                case MANIFESTS -> manifestRows(table, state, rows);
                case COMMITS, TABLE_COMMITS -> commitRows(table, rows, false);
                case FLUSHES -> commitRows(table, rows, true);
                case FILES -> fileRows(table, state, rows);
                case SCOPES -> scopeRows(table, state, rows);
                default -> throw new IllegalStateException(kind.name());
            }
        }
        return rows;
    }

    private static List<TieredTable> tablesOf(Storages storages, String tableId)
            throws IOException {
        if (tableId == null) {
            return storages.tables();
        }
        int dot = tableId.indexOf('.');
        return storages.find(tableId.substring(0, dot), tableId.substring(dot + 1))
                .map(List::of)
                .orElse(List.of());
    }

    private static RowData tableRow(TableDefinition d, TableState state) {
        return GenericRowData.of(
                str(d.tableId()),
                str(d.namespace()),
                str(d.name()),
                str(d.type().name()),
                d.options().flushPolicyIfSet().map(p -> str(p.toString())).orElse(null),
                d.options().ttlSeconds(),
                d.options().accessLevel() == null ? null : str(d.options().accessLevel().name()),
                str(d.options().storageId()),
                d.primaryKey().isEmpty() ? null : str(String.join(",", d.primaryKey())),
                d.userIdIndex() < 0 ? null : str(d.options().userIdColumn()),
                d.schemaVersion(),
                state.commit());
    }

    private static void manifestRows(TieredTable table, TableState state, List<RowData> rows)
            throws IOException {
        for (ScopeId scope : state.scopeIds()) {
            ScopeManifest m = table.manifest(state, scope);
            rows.add(
                    GenericRowData.of(
                            str(table.definition().tableId()),
                            str(scope.userId()),
                            m.version(),
                            m.lastCommit(),
                            m.segments().size(),
                            m.segments().stream().mapToLong(SegmentEntry::rowCount).sum(),
                            m.segments().stream().mapToLong(SegmentEntry::sizeBytes).sum(),
                            m.flushedThroughSeq(),
                            TimestampData.fromEpochMillis(m.updatedAt())));
        }
    }

    private static void commitRows(TieredTable table, List<RowData> rows, boolean flushesOnly)
            throws IOException {
        String tableId = table.definition().tableId();
        for (long n : table.log().listCommits()) {
            CommitRecord r = table.log().read(n);
            TimestampData at = TimestampData.fromEpochMillis(r.timestampMillis());
            if (!flushesOnly) {
                rows.add(
                        GenericRowData.of(
                                str(tableId),
                                r.commit(),
                                str(r.operation()),
                                str(r.writerId()),
                                r.checkpointId(),
                                at,
                                r.hotAdded().size(),
                                r.hotRetired().size(),
                                r.scopeChanges().size()));
                continue;
            }
            if (!"flush".equals(r.operation())) {
                continue;
            }
            for (ScopeChange change : r.scopeChanges()) {
                rows.add(
                        GenericRowData.of(
                                str(tableId),
                                r.commit(),
                                str(change.scope().userId()),
                                str(r.writerId()),
                                change.addedSegments().size(),
                                change.addedSegments().stream()
                                        .mapToLong(SegmentEntry::rowCount)
                                        .sum(),
                                change.addedSegments().stream()
                                        .mapToLong(SegmentEntry::sizeBytes)
                                        .sum(),
                                change.flushedThroughSeq(),
                                at));
            }
        }
    }

    private static void fileRows(TieredTable table, TableState state, List<RowData> rows)
            throws IOException {
        String tableId = table.definition().tableId();
        for (ScopeId scope : state.scopeIds()) {
            for (SegmentEntry s : table.manifest(state, scope).segments()) {
                rows.add(
                        GenericRowData.of(
                                str(tableId),
                                str(scope.userId()),
                                str("batch"),
                                str(s.path()),
                                s.rowCount(),
                                s.sizeBytes(),
                                s.minSeq(),
                                s.maxSeq()));
            }
        }
        for (HotSegmentRef h : state.hotSegments()) {
            String owners =
                    h.scopes().stream()
                            .map(s -> s.isShared() ? "" : s.userId())
                            .collect(Collectors.joining(","));
            rows.add(
                    GenericRowData.of(
                            str(tableId),
                            owners.isEmpty() ? null : str(owners),
                            str("hot"),
                            str(h.path()),
                            h.rowCount(),
                            h.sizeBytes(),
                            h.minSeq(),
                            h.maxSeq()));
        }
    }

    private static void scopeRows(TieredTable table, TableState state, List<RowData> rows)
            throws IOException {
        String tableId = table.definition().tableId();
        for (ScopeId scope : state.liveScopeIds()) {
            TableState.ScopeState s = state.scope(scope);
            List<SegmentEntry> segments =
                    s.version() == 0 ? List.of() : table.manifest(state, scope).segments();
            int hot = 0;
            for (HotSegmentRef h : state.hotSegments()) {
                if (h.scopes().contains(scope)) {
                    hot++;
                }
            }
            rows.add(
                    GenericRowData.of(
                            str(tableId),
                            str(scope.userId()),
                            s.version(),
                            segments.size(),
                            segments.stream().mapToLong(SegmentEntry::rowCount).sum(),
                            segments.stream().mapToLong(SegmentEntry::sizeBytes).sum(),
                            hot,
                            s.flushedThroughSeq(),
                            str(
                                    s.version() == 0
                                            ? null
                                            : table.scopeDir(state, scope).toString())));
        }
    }

    private static StringData str(String s) {
        return s == null ? null : StringData.fromString(s);
    }
}
