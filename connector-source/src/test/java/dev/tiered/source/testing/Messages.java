package dev.tiered.source.testing;

import dev.tiered.sink.TieredSink;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's chat.messages USER table for source tests, and changes written through a real {@link
 * TieredSink} job. Key i belongs to user {@code "user" + (i % USERS)}.
 */
public final class Messages {
    public static final int USERS = 4;
    public static final String TABLE = "chat.messages";

    private Messages() {}

    public static TableDefinition definition(String flushPolicy) {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "USER", "FLUSH_POLICY", flushPolicy),
                id -> true);
    }

    /** Creates the table in a local warehouse directory. */
    public static TieredTable createTable(File warehouse, String flushPolicy) throws IOException {
        return TieredTable.create(
                new FlinkFileIO(), Path.fromLocalFile(warehouse), definition(flushPolicy));
    }

    public static String user(long id) {
        return "user" + (id % USERS);
    }

    public static RowData row(RowKind kind, long id, String content) {
        GenericRowData row =
                GenericRowData.of(
                        id,
                        StringData.fromString(user(id)),
                        id / 100,
                        content == null ? null : StringData.fromString(content),
                        TimestampData.fromEpochMillis(1_700_000_000_000L + id));
        row.setRowKind(kind);
        return row;
    }

    /**
     * Round {@code round} of changes to key i: +I "r&lt;round&gt;-&lt;i&gt;" (round 0) or +U, then,
     * when {@code i % 10 == deleteRemainder}, -D.
     */
    public static final class Changes implements FlatMapFunction<Long, RowData> {
        private final int round;
        private final long deleteRemainder;

        public Changes(int round, long deleteRemainder) {
            this.round = round;
            this.deleteRemainder = deleteRemainder;
        }

        @Override
        public void flatMap(Long i, Collector<RowData> out) {
            out.collect(
                    row(round == 0 ? RowKind.INSERT : RowKind.UPDATE_AFTER, i, content(round, i)));
            if (i % 10 == deleteRemainder) {
                out.collect(row(RowKind.DELETE, i, null));
            }
        }
    }

    /** Passes values on slowly: about 1 ms each. */
    static final class Throttle
            implements org.apache.flink.api.common.functions.MapFunction<Long, Long> {
        @Override
        public Long map(Long value) throws InterruptedException {
            Thread.sleep(1);
            return value;
        }
    }

    public static String content(int round, long i) {
        return "r" + round + "-" + i;
    }

    /** The table after {@link Changes} of {@code round} over keys [from, to) on {@code model}. */
    public static void apply(
            Map<Long, String> model, int round, long deleteRemainder, long from, long to) {
        for (long i = from; i < to; i++) {
            model.put(i, content(round, i));
            if (i % 10 == deleteRemainder) {
                model.remove(i);
            }
        }
    }

    /** Writes one round through a bounded TieredSink job. */
    public static void write(
            File warehouse,
            TableDefinition definition,
            int round,
            long deleteRemainder,
            long from,
            long to,
            boolean flushAtEnd)
            throws Exception {
        write(warehouse, definition, round, deleteRemainder, from, to, flushAtEnd, false);
    }

    /**
     * @param throttled spread the rows over several checkpoints (and so several commits and, with a
     *     small rows policy, several flushes)
     */
    public static void write(
            File warehouse,
            TableDefinition definition,
            int round,
            long deleteRemainder,
            long from,
            long to,
            boolean flushAtEnd,
            boolean throttled)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(from, to - 1)
                .map(throttled ? new Throttle() : value -> value)
                .returns(Long.class)
                .flatMap(new Changes(round, deleteRemainder))
                .returns(RowData.class)
                .sinkTo(
                        TieredSink.forRowData(warehouse.toURI().toString(), TABLE)
                                .withDefinition(definition)
                                .withFlushOnEndOfInput(flushAtEnd)
                                .build());
        env.execute("write round " + round);
    }

    public static Map<Long, String> model() {
        return new TreeMap<>();
    }
}
