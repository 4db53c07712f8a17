package dev.tiered.sink.internal;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.table.data.RowData;

import java.util.Base64;

/**
 * Routes rows to writers (DESIGN §5): USER tables by user id, so one writer owns a user's scope at
 * a time; other tables by primary key (or, without one, by the whole row's hash). A null key routes
 * to a fixed writer, which rejects the row by the bad-rows policy.
 */
@Internal
public final class ScopeKeySelector implements KeySelector<RowData, String> {
    private static final long serialVersionUID = 1L;

    private final boolean shared;
    private final int field;
    private final RowData.FieldGetter getter;

    public ScopeKeySelector(TableDefinition definition) {
        this.shared = definition.type() == TableType.SHARED;
        this.field =
                definition.type() == TableType.USER
                        ? definition.userIdIndex()
                        : definition.primaryKeyIndex();
        this.getter =
                field < 0
                        ? null
                        : RowData.createFieldGetter(definition.rowType().getTypeAt(field), field);
    }

    @Override
    public String getKey(RowData row) {
        if (shared) {
            return "";
        }
        if (getter == null) {
            return Integer.toString(row.hashCode());
        }
        Object key = getter.getFieldOrNull(row);
        if (key == null) {
            return "";
        }
        // byte[] has an identity toString: route binary keys by their content.
        return key instanceof byte[] bytes
                ? Base64.getEncoder().encodeToString(bytes)
                : key.toString();
    }
}
