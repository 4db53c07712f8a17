package dev.tiered.sink.internal;

import dev.tiered.sink.SinkOptions;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/** The job-level options of one sink, resolved once (see {@link SinkOptions}). */
@Internal
public record SinkConfig(
        SinkOptions.BadRowsMode badRows, boolean flushOnEndOfInput, long hotMaxBytes)
        implements Serializable {

    public static SinkConfig defaults() {
        return new SinkConfig(
                SinkOptions.BAD_ROWS.defaultValue(),
                SinkOptions.FLUSH_ON_END_OF_INPUT.defaultValue(),
                SinkOptions.HOT_MAX_BYTES.defaultValue().getBytes());
    }
}
