package dev.tiered.sink.internal;

import dev.tiered.sink.SinkOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.function.SerializableSupplier;

import java.io.Serializable;
import java.time.Clock;
import java.util.List;

/**
 * The job-level options of one sink, resolved once (see {@link SinkOptions}), and the clock its
 * writers and committer read: the system clock, or a controllable one in tests of time-driven
 * behaviour (FLUSH_POLICY intervals, STREAM TTL).
 */
@Internal
public record SinkConfig(
        SinkOptions.BadRowsMode badRows,
        boolean flushOnEndOfInput,
        long hotMaxBytes,
        List<String> hotLocalDirs,
        long maintenanceIntervalMillis,
        SerializableSupplier<Clock> clock)
        implements Serializable {

    public SinkConfig {
        hotLocalDirs = List.copyOf(hotLocalDirs);
    }

    /** The system clock in UTC. */
    public static SerializableSupplier<Clock> systemClock() {
        return Clock::systemUTC;
    }

    public static SinkConfig defaults() {
        return new SinkConfig(
                SinkOptions.BAD_ROWS.defaultValue(),
                SinkOptions.FLUSH_ON_END_OF_INPUT.defaultValue(),
                SinkOptions.HOT_MAX_BYTES.defaultValue().getBytes(),
                List.of(),
                SinkOptions.MAINTENANCE_INTERVAL.defaultValue().toMillis(),
                systemClock());
    }
}
