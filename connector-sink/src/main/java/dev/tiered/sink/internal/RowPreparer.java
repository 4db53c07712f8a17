package dev.tiered.sink.internal;

import dev.tiered.state.BadRowException;
import dev.tiered.state.Column;
import dev.tiered.state.FieldDefault;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.layout.UserIds;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an incoming row against the table (key present, user id valid, NOT NULL columns set) and
 * fills field defaults ({@code SNOWFLAKE_ID()}, {@code NOW()}, literals) into null columns. Rows
 * without a null defaulted column pass through untouched; the others are copied into one reused
 * row, valid until the next call. It also resolves the row's scope ({@link #scope()}): user ids
 * seen before are found in a small cache of validated ids, so the common row costs one hash lookup
 * of the id's bytes instead of a decode, a validation and a new {@link ScopeId}. Not thread-safe.
 */
@Internal
final class RowPreparer {
    private final TableDefinition table;
    private final int keyIndex;
    private final int userIdIndex;
    private final int[] notNullColumns;
    private final int[] defaultColumns;
    private final FieldDefault[] defaults;
    private final RowData.FieldGetter[] getters;
    private final SnowflakeIds ids;
    private final Clock clock;
    private final GenericRowData filled;

    /** Valid user ids seen (copies of their bytes) and their scopes; cleared when it grows big. */
    private final Map<StringData, ScopeId> userScopes = new HashMap<>();

    private ScopeId scope = ScopeId.SHARED;

    /** Distinct user ids the cache holds at most before it starts over. */
    static final int MAX_CACHED_USERS = 1 << 16;

    RowPreparer(TableDefinition table, SnowflakeIds ids, Clock clock) {
        this.table = table;
        this.keyIndex = table.primaryKeyIndex();
        this.userIdIndex = table.type() == TableType.USER ? table.userIdIndex() : -1;
        List<Column> columns = table.columns();
        this.getters = new RowData.FieldGetter[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            getters[i] = RowData.createFieldGetter(columns.get(i).type(), i);
        }
        this.defaultColumns =
                table.fieldDefaults().keySet().stream()
                        .mapToInt(table::columnIndex)
                        .sorted()
                        .toArray();
        this.defaults = new FieldDefault[defaultColumns.length];
        for (int i = 0; i < defaultColumns.length; i++) {
            defaults[i] = table.fieldDefaults().get(columns.get(defaultColumns[i]).name());
        }
        this.notNullColumns =
                java.util.stream.IntStream.range(0, columns.size())
                        .filter(i -> i != keyIndex && !columns.get(i).type().isNullable())
                        .toArray();
        this.ids = ids;
        this.clock = clock;
        this.filled = new GenericRowData(columns.size());
    }

    /**
     * @return the row to store (the input, or the reused filled copy)
     * @throws BadRowException naming the table, column and reason
     */
    RowData prepare(RowData row, boolean isDelete) {
        if (keyIndex >= 0 && row.isNullAt(keyIndex)) {
            throw bad(keyIndex, "is the primary key and is null");
        }
        if (userIdIndex >= 0) {
            if (row.isNullAt(userIdIndex)) {
                throw bad(userIdIndex, "is the user id and is null");
            }
            scope = userScope(row.getString(userIdIndex));
        }
        if (isDelete) {
            return row;
        }
        RowData result = row;
        for (int i = 0; i < defaultColumns.length; i++) {
            int pos = defaultColumns[i];
            if (row.isNullAt(pos)) {
                if (result == row) {
                    copyInto(row);
                    result = filled;
                }
                filled.setField(pos, defaultValue(defaults[i]));
            }
        }
        for (int pos : notNullColumns) {
            if (result.isNullAt(pos)) {
                throw bad(pos, "is NOT NULL and is null");
            }
        }
        return result;
    }

    /** The scope of the row {@link #prepare} last accepted ({@link ScopeId#SHARED} if not USER). */
    ScopeId scope() {
        return scope;
    }

    private ScopeId userScope(StringData userId) {
        ScopeId found = userScopes.get(userId);
        if (found != null) {
            return found;
        }
        String id = userId.toString();
        String reason = UserIds.invalidReason(id);
        if (reason != null) {
            throw bad(userIdIndex, "holds an invalid user id: it " + reason);
        }
        if (userScopes.size() >= MAX_CACHED_USERS) {
            userScopes.clear();
        }
        found = ScopeId.user(id);
        // a copy: the row's string may point into a buffer its producer reuses
        StringData key =
                userId instanceof BinaryStringData binary
                        ? binary.copy()
                        : StringData.fromString(id);
        userScopes.put(key, found);
        return found;
    }

    private Object defaultValue(FieldDefault fieldDefault) {
        if (fieldDefault instanceof FieldDefault.SnowflakeId) {
            return ids.nextId();
        }
        if (fieldDefault instanceof FieldDefault.Now) {
            return TimestampData.fromEpochMillis(clock.millis());
        }
        return ((FieldDefault.Literal) fieldDefault).internalValue();
    }

    private void copyInto(RowData row) {
        filled.setRowKind(row.getRowKind());
        for (int i = 0; i < getters.length; i++) {
            filled.setField(i, getters[i].getFieldOrNull(row));
        }
    }

    private BadRowException bad(int pos, String reason) {
        return new BadRowException(table.tableId(), table.columns().get(pos).name(), reason);
    }
}
