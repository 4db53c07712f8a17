package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.split.TieredSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.table.data.RowData;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The reader: one fetcher thread reads the assigned splits in order ({@link TieredSplitReader}).
 * Bounded readers ask the enumerator for a split at start and after each finished split; unbounded
 * readers are sent their scopes' splits.
 */
@Internal
public final class TieredSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<RowData, T, TieredSplit, SplitState> {
    private final SourceMetrics metrics;
    private final boolean bounded;

    public TieredSourceReader(
            Supplier<TieredSplitReader> splitReader,
            TieredRecordEmitter<T> emitter,
            SourceMetrics metrics,
            boolean bounded,
            Configuration config,
            SourceReaderContext context) {
        super(splitReader::get, emitter, config, context);
        this.metrics = metrics;
        this.bounded = bounded;
    }

    @Override
    public void start() {
        if (bounded && getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, SplitState> finishedSplitIds) {
        for (int i = 0; i < finishedSplitIds.size(); i++) {
            metrics.splitFinished();
        }
        if (bounded) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected SplitState initializedState(TieredSplit split) {
        return new SplitState(split);
    }

    @Override
    protected TieredSplit toSplitType(String splitId, SplitState splitState) {
        return splitState.toSplit();
    }
}
