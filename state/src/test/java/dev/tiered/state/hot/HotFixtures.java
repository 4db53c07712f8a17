package dev.tiered.state.hot;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Tables, rows and an in-memory change cursor for the hot-store tests. */
final class HotFixtures {
    /** 2025-11-20, as the snowflake tests use. */
    static final long T0 = 1_763_600_000_000L;

    private HotFixtures() {}

    /** chat.messages: USER table, key {@code id BIGINT}. */
    static TableDefinition messages() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "USER"),
                storage -> true);
    }

    /** app.config: SHARED table keyed by a string. */
    static TableDefinition config() {
        return TableDefinition.create(
                "app",
                "config",
                TestTables.columns("name STRING NOT NULL", "value STRING"),
                List.of("name"),
                Map.of("TYPE", "SHARED"),
                storage -> true);
    }

    /** chat.presence: STREAM table with a key (the user's latest presence). */
    static TableDefinition presence(long ttlSeconds) {
        return TableDefinition.create(
                "chat",
                "presence",
                TestTables.columns("user_id STRING NOT NULL", "status STRING"),
                List.of("user_id"),
                Map.of("TYPE", "STREAM", "TTL_SECONDS", Long.toString(ttlSeconds)),
                storage -> true);
    }

    /** chat.typing_events: STREAM table without key (append-only events). */
    static TableDefinition typingEvents(long ttlSeconds) {
        return TableDefinition.create(
                "chat",
                "typing_events",
                TestTables.columns("user_id STRING", "conversation_id BIGINT"),
                List.of(),
                Map.of("TYPE", "STREAM", "TTL_SECONDS", Long.toString(ttlSeconds)),
                storage -> true);
    }

    static GenericRowData message(long id, String user, long conversation, String content) {
        return GenericRowData.of(
                id,
                StringData.fromString(user),
                conversation,
                StringData.fromString(content),
                TimestampData.fromEpochMillis(T0 + id));
    }

    static GenericRowData row(Object... fields) {
        Object[] converted = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            converted[i] = fields[i] instanceof String s ? StringData.fromString(s) : fields[i];
        }
        return GenericRowData.of(converted);
    }

    /** A row's fields as comparable Java values (strings, hex for bytes, nulls kept). */
    static List<Object> values(RowData row, RowType type) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < type.getFieldCount(); i++) {
            Object value = RowData.createFieldGetter(type.getTypeAt(i), i).getFieldOrNull(row);
            if (value instanceof StringData s) {
                value = s.toString();
            } else if (value instanceof byte[] bytes) {
                value = HexFormat.of().formatHex(bytes);
            }
            values.add(value);
        }
        return values;
    }

    /** One change with its row copied out as values. */
    record Change(ScopeId scope, long seq, ChangeOp op, List<Object> row) {}

    /** Every entry of the given scopes, by cursor, in scope-then-key order. */
    static List<Change> dump(HotTable table, Collection<ScopeId> scopes) throws IOException {
        RowType type = table.definition().rowType();
        List<Change> changes = new ArrayList<>();
        for (ScopeId scope : scopes) {
            try (ChangeCursor cursor = table.cursor(scope)) {
                while (cursor.next()) {
                    changes.add(
                            new Change(
                                    cursor.scope(),
                                    cursor.seq(),
                                    cursor.op(),
                                    values(cursor.row(), type)));
                }
            }
        }
        return changes;
    }

    /** A change with its row, for segments. */
    record RowChange(ScopeId scope, long seq, ChangeOp op, RowData row) {}

    /** An in-memory hot segment: the changes in the order given. Records whether it was closed. */
    static final class ListCursor implements ChangeCursor {
        private final Iterator<RowChange> changes;
        private RowChange current;
        boolean closed;

        ListCursor(List<RowChange> changes) {
            this.changes = List.copyOf(changes).iterator();
        }

        @Override
        public boolean next() {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            current = changes.hasNext() ? changes.next() : null;
            return current != null;
        }

        @Override
        public ScopeId scope() {
            return current.scope();
        }

        @Override
        public long seq() {
            return current.seq();
        }

        @Override
        public ChangeOp op() {
            return current.op();
        }

        @Override
        public RowData row() {
            return current.row();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
