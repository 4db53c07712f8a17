package dev.tiered.source.internal.reader;

import dev.tiered.source.RowDataMapper;
import dev.tiered.source.internal.split.TieredSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.table.data.RowData;

/** Emits a row, advancing its split's position so that a checkpoint records exactly where it is. */
@Internal
public final class TieredRecordEmitter<T> implements RecordEmitter<RowData, T, SplitState> {
    private final RowDataMapper<T> mapper;
    private final SourceMetrics metrics;

    public TieredRecordEmitter(RowDataMapper<T> mapper, SourceMetrics metrics) {
        this.mapper = mapper;
        this.metrics = metrics;
    }

    @Override
    public void emitRecord(RowData row, SourceOutput<T> output, SplitState state) throws Exception {
        output.collect(mapper.map(row));
        state.emitted();
        TieredSplit split = state.split();
        metrics.rowEmitted(split.commitMillis(), split.kind() == TieredSplit.Kind.CHANGES);
    }
}
