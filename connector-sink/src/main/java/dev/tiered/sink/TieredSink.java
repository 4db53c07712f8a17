package dev.tiered.sink;

import dev.tiered.sink.internal.CommitAggregator;
import dev.tiered.sink.internal.CommitDeltaSerializer;
import dev.tiered.sink.internal.ScopeKeySelector;
import dev.tiered.sink.internal.ScopePartitioner;
import dev.tiered.sink.internal.SinkConfig;
import dev.tiered.sink.internal.TableHandle;
import dev.tiered.sink.internal.TieredCommitter;
import dev.tiered.sink.internal.WriterState;
import dev.tiered.sink.internal.Writers;
import dev.tiered.state.meta.CommitDelta;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * The exactly-once sink of a tiered table (DESIGN §5):
 *
 * <pre>
 * input ─keyBy(scope)─▶ writers (hot store + hot segment + flushes, one per subtask)
 *       ─global()─▶ commit aggregator (parallelism 1: one delta per checkpoint)
 *       ─global()─▶ committer (subtask 0: one table commit per checkpoint, idempotent)
 * </pre>
 *
 * Rows are routed by scope (user id for USER tables) so each scope has one writer. Changes become
 * durable and visible when the checkpoint that covers them completes. Build one with {@link
 * #forTable} or {@link #forRowData}.
 */
@PublicEvolving
public final class TieredSink<IN>
        implements Sink<IN>,
                SupportsWriterState<IN, WriterState>,
                SupportsCommitter<CommitDelta>,
                SupportsPreWriteTopology<IN>,
                SupportsPreCommitTopology<CommitDelta, CommitDelta> {
    private static final long serialVersionUID = 1L;

    private final TableHandle table;
    private final RowConverter<IN> converter;
    private final SinkConfig config;

    TieredSink(TableHandle table, RowConverter<IN> converter, SinkConfig config) {
        this.table = table;
        this.converter = converter;
        this.config = config;
    }

    /** A sink of RowData rows of the table's physical row type. */
    public static TieredSinkBuilder<RowData> forRowData(String baseUri, String tableId) {
        return new TieredSinkBuilder<>(baseUri, tableId, row -> row);
    }

    /** A sink of a user type, turned into rows by {@code converter}. */
    public static <T> TieredSinkBuilder<T> forTable(
            String baseUri, String tableId, RowConverter<T> converter) {
        return new TieredSinkBuilder<>(baseUri, tableId, converter);
    }

    @Override
    public StatefulSinkWriter<IN, WriterState> createWriter(WriterInitContext context)
            throws IOException {
        return Writers.create(table, converter, config, context, List.of());
    }

    @Override
    public StatefulSinkWriter<IN, WriterState> restoreWriter(
            WriterInitContext context, Collection<WriterState> recoveredState) throws IOException {
        return Writers.create(table, converter, config, context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return new WriterState.Serializer();
    }

    @Override
    public Committer<CommitDelta> createCommitter(CommitterInitContext context) {
        return new TieredCommitter(table, config, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<CommitDelta> getCommittableSerializer() {
        return new CommitDeltaSerializer(table);
    }

    @Override
    public SimpleVersionedSerializer<CommitDelta> getWriteResultSerializer() {
        return new CommitDeltaSerializer(table);
    }

    @Override
    public DataStream<IN> addPreWriteTopology(DataStream<IN> input) {
        ScopeKeySelector router = new ScopeKeySelector(table.definition());
        RowConverter<IN> toRow = converter;
        // A custom partitioning, not keyBy: in BATCH mode keyBy sorts the input by key, which would
        // reorder the changes of one primary key; a partitioner keeps each channel's order.
        return input.partitionCustom(
                new ScopePartitioner(), value -> router.getKey(toRow.toRow(value)));
    }

    @Override
    public DataStream<CommittableMessage<CommitDelta>> addPreCommitTopology(
            DataStream<CommittableMessage<CommitDelta>> committables) {
        TableHandle handle = table;
        // Everything goes to one aggregator, whose one committable per checkpoint goes to
        // committer subtask 0: one table commit per checkpoint.
        return committables
                .global()
                .transform(
                        "Tiered commit aggregator: " + table.tableId(),
                        CommittableMessageTypeInfo.of(() -> new CommitDeltaSerializer(handle)),
                        new CommitAggregator(table.tableId()))
                .setParallelism(1)
                .setMaxParallelism(1)
                .global();
    }

    /** The table this sink writes, e.g. {@code chat.messages}. */
    public String tableId() {
        return table.tableId();
    }
}
