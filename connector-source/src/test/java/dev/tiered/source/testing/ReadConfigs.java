package dev.tiered.source.testing;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.state.TableDefinition;

import org.apache.flink.api.connector.source.Boundedness;

import java.util.List;

/**
 * Read configurations for tests that plan or read splits without a source (the table is passed to
 * the planner and readers directly, so the base URI is unused): no time travel, no user, no key
 * range, no limit, discovery every 10 ms.
 */
public final class ReadConfigs {
    private ReadConfigs() {}

    /** Reads {@code columns} (all when none are given) of the table. */
    public static ReadConfig of(
            TableDefinition definition, Boundedness boundedness, ScanMode mode, String... columns) {
        return new ReadConfig(
                "file:///unused",
                definition,
                boundedness,
                mode,
                null,
                null,
                columns.length == 0 ? null : List.of(columns),
                null,
                null,
                null,
                -1,
                10);
    }
}
