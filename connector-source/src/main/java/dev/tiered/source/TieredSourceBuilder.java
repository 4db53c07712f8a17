package dev.tiered.source;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.internal.KeyValues;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.java.ClosureCleaner;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Builds a {@link TieredSource}; every cross-field check happens in {@link #build()}. */
@PublicEvolving
public final class TieredSourceBuilder<T> {
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

    private final String baseUri;
    private final String tableId;
    private final RowDataMapper<T> mapper;
    private final TypeInformation<T> producedType;
    private Boundedness boundedness = Boundedness.BOUNDED;
    private ScanMode scanMode = SourceOptions.SCAN_MODE.defaultValue();
    private Long startCommit;
    private Long startTimestampMillis;
    private List<String> projection;
    private String userId;
    private Serializable keyLower;
    private Serializable keyUpper;
    private long limit = -1;
    private Duration discoveryInterval = SourceOptions.DISCOVERY_INTERVAL.defaultValue();

    TieredSourceBuilder(
            String baseUri,
            String tableId,
            RowDataMapper<T> mapper,
            TypeInformation<T> producedType) {
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.tableId = Objects.requireNonNull(tableId, "tableId");
        this.mapper = mapper;
        this.producedType = producedType;
        if ((mapper == null) != (producedType == null)) {
            throw new IllegalArgumentException(
                    "Cannot build tiered source: give both a mapper and its produced type");
        }
    }

    /** Reads the table as of one commit, then ends (the default). */
    public TieredSourceBuilder<T> bounded() {
        this.boundedness = Boundedness.BOUNDED;
        return this;
    }

    /** Reads per the scan mode, then every new change, without end. */
    public TieredSourceBuilder<T> streaming() {
        this.boundedness = Boundedness.CONTINUOUS_UNBOUNDED;
        return this;
    }

    /** Where a streaming read starts ({@code scan.mode}). */
    public TieredSourceBuilder<T> scanMode(ScanMode mode) {
        this.scanMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * {@code scan.commit}: a bounded or {@code full} read sees the table as of this commit; a
     * {@code from-commit} read emits the changes committed after it.
     */
    public TieredSourceBuilder<T> atCommit(long commit) {
        this.startCommit = commit;
        return this;
    }

    /** {@code scan.timestamp}: as {@link #atCommit}, at the last commit at or before the time. */
    public TieredSourceBuilder<T> atTimestamp(long epochMillis) {
        this.startTimestampMillis = epochMillis;
        return this;
    }

    /** Reads and produces only these columns, in this order (projection push-down). */
    public TieredSourceBuilder<T> selectColumns(String... columns) {
        this.projection = List.of(columns);
        return this;
    }

    /** USER tables: reads only this user's scope directory (user-id filter push-down). */
    public TieredSourceBuilder<T> forUser(String user) {
        this.userId = Objects.requireNonNull(user, "user");
        return this;
    }

    /**
     * Reads only keys in {@code [lower, upper]} (inclusive; null is unbounded), given as plain Java
     * values (Long, Integer, String, BigDecimal, LocalDate, LocalDateTime, Instant). Batches are
     * skipped by their manifest key statistics, row groups and pages by Parquet's.
     */
    public TieredSourceBuilder<T> withKeyRange(Serializable lower, Serializable upper) {
        this.keyLower = lower;
        this.keyUpper = upper;
        return this;
    }

    /** Bounded reads: each reader stops after this many rows (limit push-down). */
    public TieredSourceBuilder<T> withLimit(long rows) {
        this.limit = rows;
        return this;
    }

    /** {@code scan.discovery-interval}: how often a streaming read looks for new commits. */
    public TieredSourceBuilder<T> discoveryInterval(Duration interval) {
        this.discoveryInterval = Objects.requireNonNull(interval, "interval");
        return this;
    }

    /** Applies the {@code scan.*} options of {@link SourceOptions} that are set. */
    public TieredSourceBuilder<T> withOptions(ReadableConfig options) {
        options.getOptional(SourceOptions.SCAN_MODE).ifPresent(this::scanMode);
        options.getOptional(SourceOptions.SCAN_COMMIT).ifPresent(this::atCommit);
        options.getOptional(SourceOptions.SCAN_TIMESTAMP)
                .ifPresent(text -> atTimestamp(parseTimestamp(text)));
        options.getOptional(SourceOptions.DISCOVERY_INTERVAL).ifPresent(this::discoveryInterval);
        return this;
    }

    /** Epoch milliseconds, or {@code yyyy-MM-dd HH:mm:ss[.SSS]} in UTC. */
    static long parseTimestamp(String text) {
        String trimmed = text.trim();
        if (trimmed.chars().allMatch(Character::isDigit) && !trimmed.isEmpty()) {
            return Long.parseLong(trimmed);
        }
        try {
            return LocalDateTime.parse(trimmed, TIMESTAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "Cannot parse '"
                            + SourceOptions.SCAN_TIMESTAMP.key()
                            + "' value '"
                            + text
                            + "': expected epoch milliseconds or 'yyyy-MM-dd HH:mm:ss[.SSS]'",
                    e);
        }
    }

    /**
     * @throws IllegalArgumentException naming the setting to change when settings conflict
     * @throws UncheckedIOException if the table cannot be opened
     */
    @SuppressWarnings("unchecked")
    public TieredSource<T> build() {
        TableDefinition definition = openDefinition();
        check(definition);
        ReadConfig config =
                new ReadConfig(
                        baseUri,
                        definition,
                        boundedness,
                        scanMode,
                        startCommit,
                        startTimestampMillis,
                        projection,
                        userId,
                        keyLower,
                        keyUpper,
                        limit,
                        discoveryInterval.toMillis());
        if (mapper == null) {
            RowDataMapper<RowData> identity = row -> row;
            return (TieredSource<T>)
                    new TieredSource<>(
                            config, identity, InternalTypeInfo.of(config.producedType()));
        }
        ClosureCleaner.clean(mapper, ExecutionConfig.ClosureCleanerLevel.RECURSIVE, true);
        return new TieredSource<>(config, mapper, producedType);
    }

    private TableDefinition openDefinition() {
        int dot = tableId.indexOf('.');
        if (dot <= 0 || dot != tableId.lastIndexOf('.')) {
            throw new IllegalArgumentException(
                    "Cannot build tiered source: table id '"
                            + tableId
                            + "' is not 'namespace.table'");
        }
        try {
            return TieredTable.open(
                            new FlinkFileIO(),
                            new Path(baseUri),
                            tableId.substring(0, dot),
                            tableId.substring(dot + 1))
                    .definition();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot build tiered source for " + tableId, e);
        }
    }

    private void check(TableDefinition definition) {
        String prefix = "Cannot build tiered source for " + tableId + ": ";
        if (projection != null) {
            if (projection.isEmpty()) {
                throw new IllegalArgumentException(prefix + "select at least one column");
            }
            for (String column : projection) {
                if (definition.columnIndex(column) < 0) {
                    throw new IllegalArgumentException(
                            prefix
                                    + "no column '"
                                    + column
                                    + "' (columns: "
                                    + Arrays.toString(
                                            definition.rowType().getFieldNames().toArray())
                                    + ")");
                }
            }
        }
        if (userId != null) {
            if (definition.type() != TableType.USER) {
                throw new IllegalArgumentException(
                        prefix + "a user filter needs a USER table, not " + definition.type());
            }
            ScopeId.user(userId); // validates the id
        }
        if (keyLower != null || keyUpper != null) {
            if (definition.primaryKeyIndex() < 0) {
                throw new IllegalArgumentException(prefix + "a key range needs a primary key");
            }
            var keyType = definition.columns().get(definition.primaryKeyIndex()).type();
            KeyValues.toInternal(keyLower, keyType);
            KeyValues.toInternal(keyUpper, keyType);
        }
        if (startCommit != null && startTimestampMillis != null) {
            throw new IllegalArgumentException(
                    prefix + "set 'scan.commit' or 'scan.timestamp', not both");
        }
        if (startCommit != null && startCommit < 0) {
            throw new IllegalArgumentException(prefix + "'scan.commit' must be >= 0");
        }
        boolean streaming = boundedness == Boundedness.CONTINUOUS_UNBOUNDED;
        if (streaming
                && scanMode == ScanMode.FROM_COMMIT
                && startCommit == null
                && startTimestampMillis == null) {
            throw new IllegalArgumentException(
                    prefix
                            + "'scan.commit' or 'scan.timestamp' is required in 'from-commit'"
                            + " scan mode");
        }
        if (streaming
                && scanMode == ScanMode.LATEST
                && (startCommit != null || startTimestampMillis != null)) {
            throw new IllegalArgumentException(
                    prefix
                            + "'latest' scan mode starts at the newest commit; use 'from-commit'"
                            + " with 'scan.commit' or 'scan.timestamp'");
        }
        if (limit < -1 || (limit >= 0 && streaming)) {
            throw new IllegalArgumentException(
                    prefix + "a limit must be >= 0 and is only for bounded reads");
        }
        if (discoveryInterval.isNegative() || discoveryInterval.isZero()) {
            throw new IllegalArgumentException(
                    prefix + "'scan.discovery-interval' must be positive");
        }
    }
}
