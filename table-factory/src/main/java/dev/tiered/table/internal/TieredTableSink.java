package dev.tiered.table.internal;

import dev.tiered.sink.RowConverter;
import dev.tiered.sink.SinkOptions;
import dev.tiered.sink.TieredSink;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.layout.UserStorages;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;

import java.time.Duration;
import java.util.List;

/**
 * The SQL face of {@link TieredSink}: an upsert sink (+I, +U, -D with full rows; -U ignored) for
 * tables with a primary key, append-only without one. A {@code user} session may write only its own
 * rows (checked per row, the job fails on another user's row).
 */
@Internal
public final class TieredTableSink implements DynamicTableSink {

    /** The job-level sink settings of a table. */
    public record Settings(
            SinkOptions.BadRowsMode badRows,
            boolean flushOnEndOfInput,
            MemorySize hotMaxBytes,
            List<String> hotLocalDirs,
            Integer parallelism,
            Duration maintenanceInterval) {}

    private final String baseUri;
    private final TableDefinition definition;
    private final Settings settings;
    private final Session session;
    private final UserStorages userStorages;

    /**
     * @param userStorages where a {@code USE_USER_STORAGE} table places its users
     */
    public TieredTableSink(
            String baseUri,
            TableDefinition definition,
            Settings settings,
            Session session,
            UserStorages userStorages) {
        this.baseUri = baseUri;
        this.definition = definition;
        this.settings = settings;
        this.session = session;
        this.userStorages = userStorages;
        AccessControl.checkWrite(session, definition);
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        // Full delete rows: a USER table routes a delete by its user id column.
        return definition.primaryKey().isEmpty()
                ? ChangelogMode.insertOnly()
                : ChangelogMode.upsert(false);
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        RowConverter<RowData> converter =
                session.isUser() && definition.type() == TableType.USER
                        ? new OwnerCheck(session, definition.tableId(), definition.userIdIndex())
                        : new Identity();
        TieredSink<RowData> sink =
                TieredSink.forTable(baseUri, definition.tableId(), converter)
                        .withDefinition(definition)
                        .withBadRows(settings.badRows())
                        .withFlushOnEndOfInput(settings.flushOnEndOfInput())
                        .withHotMaxBytes(settings.hotMaxBytes())
                        .withHotLocalDirs(settings.hotLocalDirs())
                        .withUserStorages(userStorages)
                        .withMaintenanceInterval(settings.maintenanceInterval())
                        .build();
        return SinkV2Provider.of(sink, settings.parallelism());
    }

    @Override
    public DynamicTableSink copy() {
        return new TieredTableSink(baseUri, definition, settings, session, userStorages);
    }

    @Override
    public String asSummaryString() {
        return "Tiered[" + definition.tableId() + "]";
    }

    TableDefinition definition() {
        return definition;
    }

    private static final class Identity implements RowConverter<RowData> {
        private static final long serialVersionUID = 1L;

        @Override
        public RowData toRow(RowData value) {
            return value;
        }
    }

    /** Fails on a row of another user than the session's. */
    private static final class OwnerCheck implements RowConverter<RowData> {
        private static final long serialVersionUID = 1L;
        private final Session session;
        private final String tableId;
        private final int userIdPos;

        OwnerCheck(Session session, String tableId, int userIdPos) {
            this.session = session;
            this.tableId = tableId;
            this.userIdPos = userIdPos;
        }

        @Override
        public RowData toRow(RowData value) {
            String owner = value.isNullAt(userIdPos) ? null : value.getString(userIdPos).toString();
            AccessControl.checkRowOwner(session, tableId, owner);
            return value;
        }
    }
}
