package dev.tiered.table.internal;

import dev.tiered.source.TieredLookupFunction;
import dev.tiered.source.TieredSource;
import dev.tiered.source.TieredSourceBuilder;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsLimitPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL face of {@link TieredSource} and {@link TieredLookupFunction} (DESIGN §6).
 *
 * <ul>
 *   <li>Batch runtime mode: a bounded scan of the newest commit (or {@code scan.commit} / {@code
 *       scan.timestamp}), insert-only.
 *   <li>Streaming runtime mode: the streaming scan of {@code scan.mode}; with a primary key an
 *       upsert changelog (+I, +U, -D with the key columns only, no -U), without one insert-only.
 *   <li>Push-down: projection; {@code user_id = '<u>'} on a USER table (exact: only that user's
 *       scope is read, so the filter is not evaluated again); comparisons of the primary key with a
 *       literal (best effort: batches and row groups are skipped, the filter is still evaluated);
 *       {@code LIMIT} of bounded scans.
 *   <li>Lookup joins by primary key (and user id) through the function's own cache, which follows
 *       the commit log ({@code lookup.*}).
 *   <li>Access: a {@code user} session reads only its own rows of a USER table (scans and lookups
 *       are restricted to its scope; a filter on another user is an error), SHARED tables only per
 *       their access level (checked by the factory).
 * </ul>
 */
@Internal
public final class TieredTableSource
        implements ScanTableSource,
                LookupTableSource,
                SupportsProjectionPushDown,
                SupportsFilterPushDown,
                SupportsLimitPushDown {

    private final String baseUri;
    private final TableDefinition definition;
    private final Session session;
    private final boolean bounded;
    private final Configuration options;

    // Pushed down; copy() carries them.
    private List<String> columns;
    private String user;
    private Serializable keyLower;
    private Serializable keyUpper;
    private long limit = -1;

    /**
     * @param columns the physical columns of the table as the query sees them, in order
     * @param bounded whether the query runs in batch runtime mode
     * @param options the table's options with the query's hints ({@code scan.*}, {@code lookup.*})
     */
    public TieredTableSource(
            String baseUri,
            TableDefinition definition,
            List<String> columns,
            Session session,
            boolean bounded,
            Configuration options) {
        this.baseUri = baseUri;
        this.definition = definition;
        this.columns = List.copyOf(columns);
        this.session = session;
        this.bounded = bounded;
        this.options = options;
        this.user = AccessControl.readOwner(session, definition).orElse(null);
    }

    private TieredTableSource(TieredTableSource other) {
        this.baseUri = other.baseUri;
        this.definition = other.definition;
        this.columns = other.columns;
        this.session = other.session;
        this.bounded = other.bounded;
        this.options = other.options;
        this.user = other.user;
        this.keyLower = other.keyLower;
        this.keyUpper = other.keyUpper;
        this.limit = other.limit;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        if (bounded || definition.primaryKey().isEmpty()) {
            return ChangelogMode.insertOnly();
        }
        // The source emits +I/+U/-D; a -D carries the key columns only.
        return ChangelogMode.upsert(true);
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        TieredSourceBuilder<RowData> builder =
                TieredSource.forRowData(baseUri, definition.tableId());
        if (bounded) {
            builder.bounded();
        } else {
            builder.streaming();
        }
        builder.withOptions(options).selectColumns(columns.toArray(String[]::new));
        if (user != null) {
            builder.forUser(user);
        }
        if (keyLower != null || keyUpper != null) {
            builder.withKeyRange(keyLower, keyUpper);
        }
        if (bounded && limit >= 0) {
            builder.withLimit(limit);
        }
        try {
            return SourceProvider.of(builder.build());
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage(), e);
        }
    }

    @Override
    public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
        String prefix = "Cannot look up " + definition.tableId() + ": ";
        if (definition.primaryKey().isEmpty()) {
            throw new ValidationException(prefix + "lookups need a primary key");
        }
        List<String> keys = new ArrayList<>();
        for (int[] path : context.getKeys()) {
            if (path.length != 1) {
                throw new ValidationException(prefix + "nested lookup keys are not supported");
            }
            keys.add(columns.get(path[0]));
        }
        String key = definition.primaryKey().get(0);
        String userColumn =
                definition.type() == TableType.USER ? definition.options().userIdColumn() : null;
        // Validates the lookup keys (primary key, optionally the user id) with exact messages.
        TieredLookupFunction byKeys = lookupFunction(prefix, keys.toArray(String[]::new));
        // The function's own cache follows the commit log; Flink's lookup cache would serve
        // values of keys a later commit changed, so none is added here.
        if (user == null) {
            return LookupFunctionProvider.of(byKeys);
        }
        LookupFunction owned =
                new UserScopedLookupFunction(
                        lookupFunction(prefix, key, userColumn),
                        columnType(key),
                        keys.indexOf(key),
                        keys.indexOf(userColumn),
                        user);
        return LookupFunctionProvider.of(owned);
    }

    private TieredLookupFunction lookupFunction(String prefix, String... keys) {
        try {
            return TieredLookupFunction.forTable(baseUri, definition.tableId(), keys)
                    .selectColumns(columns.toArray(String[]::new))
                    .withOptions(options)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage(), e);
        }
    }

    private LogicalType columnType(String column) {
        return definition.columns().get(definition.columnIndex(column)).type();
    }

    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
        List<String> projected = new ArrayList<>(projectedFields.length);
        for (int[] path : projectedFields) {
            projected.add(columns.get(path[0]));
        }
        this.columns = List.copyOf(projected);
    }

    @Override
    public Result applyFilters(List<ResolvedExpression> filters) {
        List<ResolvedExpression> accepted = new ArrayList<>();
        List<ResolvedExpression> remaining = new ArrayList<>();
        KeyFilters.Column userColumn =
                definition.type() == TableType.USER
                        ? new KeyFilters.Column(
                                definition.options().userIdColumn(),
                                columnType(definition.options().userIdColumn()))
                        : null;
        KeyFilters.Column keyColumn =
                definition.primaryKeyIndex() < 0
                        ? null
                        : new KeyFilters.Column(
                                definition.primaryKey().get(0),
                                columnType(definition.primaryKey().get(0)));
        for (ResolvedExpression filter : filters) {
            String filterUser = userColumn == null ? null : KeyFilters.equality(filter, userColumn);
            if (filterUser != null) {
                AccessControl.checkReadUser(session, definition, filterUser);
                if (user == null || user.equals(filterUser)) {
                    // Exact: only this scope is read, every row of it has this user id.
                    user = filterUser;
                    accepted.add(filter);
                } else {
                    // Asks for a second user: evaluated, it leaves nothing.
                    remaining.add(filter);
                }
                continue;
            }
            KeyFilters.Bound bound = keyColumn == null ? null : KeyFilters.bound(filter, keyColumn);
            if (bound != null) {
                keyLower = KeyFilters.tighterLower(keyLower, bound.lower());
                keyUpper = KeyFilters.tighterUpper(keyUpper, bound.upper());
                // Best effort: strict comparisons are read inclusively, hot rows by range.
                accepted.add(filter);
            }
            remaining.add(filter);
        }
        return Result.of(accepted, remaining);
    }

    @Override
    public void applyLimit(long limit) {
        this.limit = limit;
    }

    @Override
    public DynamicTableSource copy() {
        return new TieredTableSource(this);
    }

    @Override
    public String asSummaryString() {
        return "Tiered[" + definition.tableId() + "]";
    }

    /** The user whose scope alone is read, or null. */
    String user() {
        return user;
    }

    List<String> columns() {
        return columns;
    }

    Serializable keyLower() {
        return keyLower;
    }

    Serializable keyUpper() {
        return keyUpper;
    }
}
