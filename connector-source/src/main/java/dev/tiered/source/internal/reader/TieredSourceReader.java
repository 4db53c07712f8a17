package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.split.TieredSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.table.data.RowData;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The reader: one fetcher thread reads the assigned splits in order ({@link TieredSplitReader}).
 * Bounded readers ask the enumerator for splits at start and again when they begin their last
 * assigned split, one request at a time, so that the next splits arrive while that one is read;
 * unbounded readers are sent their scopes' splits.
 */
@Internal
public final class TieredSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<RowData, T, TieredSplit, SplitState> {
    private final SourceMetrics metrics;
    private final boolean bounded;
    private boolean requested;
    private boolean noMoreSplits;

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
            requestSplits();
        }
    }

    @Override
    public void addSplits(List<TieredSplit> splits) {
        requested = false;
        super.addSplits(splits);
    }

    @Override
    public void notifyNoMoreSplits() {
        requested = false;
        noMoreSplits = true;
        super.notifyNoMoreSplits();
    }

    @Override
    protected void onSplitFinished(Map<String, SplitState> finishedSplitIds) {
        for (int i = 0; i < finishedSplitIds.size(); i++) {
            metrics.splitFinished();
        }
        if (bounded && getNumberOfCurrentlyAssignedSplits() <= 1) {
            requestSplits();
        }
    }

    private void requestSplits() {
        if (!requested && !noMoreSplits) {
            requested = true;
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
