package dev.tiered.sink;

import dev.tiered.sink.internal.SinkConfig;
import dev.tiered.sink.internal.TableHandle;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.layout.UserStorages;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.java.ClosureCleaner;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.function.SerializableSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Builds a {@link TieredSink}; every cross-field check happens in {@link #build()}. */
@PublicEvolving
public final class TieredSinkBuilder<IN> {
    private final String baseUri;
    private final String tableId;
    private final RowConverter<IN> converter;
    private TableDefinition definition;
    private SinkOptions.BadRowsMode badRows = SinkOptions.BAD_ROWS.defaultValue();
    private boolean flushOnEndOfInput = SinkOptions.FLUSH_ON_END_OF_INPUT.defaultValue();
    private MemorySize hotMaxBytes = SinkOptions.HOT_MAX_BYTES.defaultValue();
    private SerializableSupplier<Clock> clock = SinkConfig.systemClock();
    private List<String> hotLocalDirs = List.of();
    private UserStorages userStorages;
    private Duration maintenanceInterval = SinkOptions.MAINTENANCE_INTERVAL.defaultValue();

    TieredSinkBuilder(String baseUri, String tableId, RowConverter<IN> converter) {
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.tableId = Objects.requireNonNull(tableId, "tableId");
        this.converter = Objects.requireNonNull(converter, "converter");
    }

    /** Creates the table with this definition if the storage has none yet. */
    public TieredSinkBuilder<IN> withDefinition(TableDefinition definition) {
        this.definition = Objects.requireNonNull(definition, "definition");
        return this;
    }

    public TieredSinkBuilder<IN> withBadRows(SinkOptions.BadRowsMode mode) {
        this.badRows = Objects.requireNonNull(mode, "mode");
        return this;
    }

    public TieredSinkBuilder<IN> withFlushOnEndOfInput(boolean flush) {
        this.flushOnEndOfInput = flush;
        return this;
    }

    public TieredSinkBuilder<IN> withHotMaxBytes(MemorySize bytes) {
        this.hotMaxBytes = Objects.requireNonNull(bytes, "bytes");
        return this;
    }

    /** Local directories for the writers' hot stores ({@link SinkOptions#HOT_LOCAL_DIRS}). */
    public TieredSinkBuilder<IN> withHotLocalDirs(List<String> dirs) {
        this.hotLocalDirs = List.copyOf(Objects.requireNonNull(dirs, "dirs"));
        return this;
    }

    /** See {@link SinkOptions#MAINTENANCE_INTERVAL}; {@link Duration#ZERO} turns it off. */
    public TieredSinkBuilder<IN> withMaintenanceInterval(Duration interval) {
        if (Objects.requireNonNull(interval, "interval").isNegative()) {
            throw new IllegalArgumentException(
                    "Cannot build tiered sink: sink.maintenance.interval must not be negative");
        }
        this.maintenanceInterval = interval;
        return this;
    }

    /**
     * The storages users are assigned to, for a USER table with {@code USE_USER_STORAGE}: a user's
     * scope is created in the storage the user's setting names (DESIGN §4). Without it, such a
     * table keeps every user in its own storage. The SQL connector sets it from the catalog.
     */
    public TieredSinkBuilder<IN> withUserStorages(UserStorages storages) {
        this.userStorages = Objects.requireNonNull(storages, "storages");
        return this;
    }

    /**
     * The clock that decides when FLUSH_POLICY intervals and STREAM TTLs have passed, and that
     * stamps {@code _seq} ids; for tests of time-driven behaviour.
     */
    @VisibleForTesting
    TieredSinkBuilder<IN> withClock(SerializableSupplier<Clock> clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * @throws IllegalArgumentException if the table id is not {@code namespace.table}, or the
     *     definition given names another table
     * @throws UncheckedIOException if the storage has no such table and no definition was given
     */
    public TieredSink<IN> build() {
        int dot = tableId.indexOf('.');
        if (dot <= 0 || dot != tableId.lastIndexOf('.')) {
            throw new IllegalArgumentException(
                    "Cannot build tiered sink: table id '"
                            + tableId
                            + "' is not 'namespace.table'");
        }
        if (definition != null && !definition.tableId().equals(tableId)) {
            throw new IllegalArgumentException(
                    "Cannot build tiered sink for "
                            + tableId
                            + ": the definition given is of "
                            + definition.tableId());
        }
        TableDefinition resolved = definition;
        if (resolved == null) {
            try {
                resolved =
                        TieredTable.open(
                                        new FlinkFileIO(),
                                        new Path(baseUri),
                                        tableId.substring(0, dot),
                                        tableId.substring(dot + 1))
                                .definition();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot build tiered sink for " + tableId, e);
            }
        }
        ClosureCleaner.clean(
                converter,
                org.apache.flink.api.common.ExecutionConfig.ClosureCleanerLevel.RECURSIVE,
                true);
        return new TieredSink<>(
                new TableHandle(baseUri, resolved, userStorages),
                converter,
                new SinkConfig(
                        badRows,
                        flushOnEndOfInput,
                        hotMaxBytes.getBytes(),
                        hotLocalDirs,
                        maintenanceInterval.toMillis(),
                        clock));
    }
}
