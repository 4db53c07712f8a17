package dev.tiered.sink;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.TableRows;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The changelog the sink ITs write into {@code chat.messages} and the table it must leave: key i
 * gets +I "c<i>", then -U/+U "u<i>" when i%3==0, then -D when i%10==0, in that order, from user
 * {@code user<i % users>}.
 */
final class ChatChanges implements FlatMapFunction<Long, RowData> {
    private static final long serialVersionUID = 1L;

    static final int USERS = 5;

    @Override
    public void flatMap(Long i, Collector<RowData> out) {
        out.collect(row(RowKind.INSERT, i, "c" + i));
        if (i % 3 == 0) {
            out.collect(row(RowKind.UPDATE_BEFORE, i, "c" + i));
            out.collect(row(RowKind.UPDATE_AFTER, i, "u" + i));
        }
        if (i % 10 == 0) {
            out.collect(row(RowKind.DELETE, i, null));
        }
    }

    static RowData row(RowKind kind, long id, String content) {
        GenericRowData row =
                GenericRowData.of(
                        id,
                        StringData.fromString("user" + (id % USERS)),
                        id / 100,
                        content == null ? null : StringData.fromString(content),
                        TimestampData.fromEpochMillis(1_700_000_000_000L + id));
        row.setRowKind(kind);
        return row;
    }

    /** The table's content after keys {@code [0, n)}: id to content. */
    static Map<Long, String> expected(long n) {
        Map<Long, String> expected = new TreeMap<>();
        for (long i = 0; i < n; i++) {
            if (i % 10 != 0) {
                expected.put(i, (i % 3 == 0 ? "u" : "c") + i);
            }
        }
        return expected;
    }

    /** A USER table {@code chat.messages} of the message columns with this flush policy. */
    static TableDefinition definition(String flushPolicy) {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "USER", "FLUSH_POLICY", flushPolicy),
                id -> true);
    }

    /** Creates the table (as a sink would when its first writer starts). */
    static TieredTable create(String baseUri, TableDefinition definition) throws IOException {
        return TieredTable.create(new FlinkFileIO(), new Path(baseUri), definition);
    }

    static TieredTable open(String baseUri) throws IOException {
        return TieredTable.open(new FlinkFileIO(), new Path(baseUri), "chat", "messages");
    }

    /**
     * Reads the latest commit of the table over both tiers: id to content. Asserts on the way that
     * each row is in its owner's scope and each key in one scope only.
     */
    static Map<Long, String> readAll(TieredTable table, TableState state) throws IOException {
        Map<Long, String> rows = new TreeMap<>();
        TableRows.forEachRow(
                table,
                state,
                (scope, row) -> {
                    assertThat(row.getString(1).toString()).isEqualTo(scope.userId());
                    String previous = rows.put(row.getLong(0), row.getString(3).toString());
                    assertThat(previous).as("key %d in one scope only", row.getLong(0)).isNull();
                });
        return rows;
    }

    private ChatChanges() {}

    static ChatChanges changes() {
        return new ChatChanges();
    }
}
