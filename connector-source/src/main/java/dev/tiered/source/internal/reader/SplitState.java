package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.split.TieredSplit;

import org.apache.flink.annotation.Internal;

/** A split being read: the split and the rows of it emitted so far. Main thread only. */
@Internal
public final class SplitState {
    private final TieredSplit split;
    private long position;

    public SplitState(TieredSplit split) {
        this.split = split;
        this.position = split.position();
    }

    public TieredSplit split() {
        return split;
    }

    void emitted() {
        position++;
    }

    public TieredSplit toSplit() {
        return split.withPosition(position);
    }
}
