package dev.tiered.table.internal;

import dev.tiered.source.TieredLookupFunction;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * Lookups of a USER table restricted to one user's scope (a {@code user} session's own, or a
 * pushed-down user filter): each lookup reads only that scope. A probe row that names another user
 * finds nothing — it asks for a row the restricted read does not contain.
 */
@Internal
public final class UserScopedLookupFunction extends LookupFunction {
    private static final long serialVersionUID = 1L;

    private final TieredLookupFunction byKeyAndUser;
    private final LogicalType keyType;
    private final int keyPos;
    private final int userPos;
    private final String user;

    private transient RowData.FieldGetter key;
    private transient StringData userData;

    /**
     * @param byKeyAndUser looks up by (primary key, user id)
     * @param keyPos the primary key's position in the probe's key row
     * @param userPos the user id's position in the probe's key row, or -1
     */
    UserScopedLookupFunction(
            TieredLookupFunction byKeyAndUser,
            LogicalType keyType,
            int keyPos,
            int userPos,
            String user) {
        this.byKeyAndUser = byKeyAndUser;
        this.keyType = keyType;
        this.keyPos = keyPos;
        this.userPos = userPos;
        this.user = user;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        byKeyAndUser.open(context);
        key = RowData.createFieldGetter(keyType, keyPos);
        userData = StringData.fromString(user);
    }

    @Override
    public Collection<RowData> lookup(RowData keyRow) throws IOException {
        if (userPos >= 0
                && (keyRow.isNullAt(userPos)
                        || !user.equals(keyRow.getString(userPos).toString()))) {
            return List.of();
        }
        return byKeyAndUser.lookup(GenericRowData.of(key.getFieldOrNull(keyRow), userData));
    }

    @Override
    public void close() throws Exception {
        byKeyAndUser.close();
    }
}
