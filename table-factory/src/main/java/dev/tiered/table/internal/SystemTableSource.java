package dev.tiered.table.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.io.GenericInputFormat;
import org.apache.flink.api.common.io.NonParallelInput;
import org.apache.flink.core.io.GenericInputSplit;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.InputFormatProvider;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.data.RowData;

import java.io.IOException;
import java.util.Iterator;

/**
 * A bounded scan of one system table: a single, non-parallel split that reads the warehouse's
 * metadata when the task opens it (not at planning time), so a query sees the catalog as it is when
 * it runs.
 */
@Internal
public final class SystemTableSource implements ScanTableSource {
    private final SystemTables.Kind kind;
    private final Storages storages;
    private final String tableId;

    /**
     * @param tableId the table of a per-table view, else null
     */
    public SystemTableSource(SystemTables.Kind kind, Storages storages, String tableId) {
        this.kind = kind;
        this.storages = storages;
        this.tableId = tableId;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        return InputFormatProvider.of(new MetadataInputFormat(kind, storages, tableId));
    }

    @Override
    public DynamicTableSource copy() {
        return new SystemTableSource(kind, storages, tableId);
    }

    @Override
    public String asSummaryString() {
        return "TieredSystem["
                + (tableId == null ? "system" : tableId + "$")
                + kind.tableName()
                + "]";
    }

    /** Reads the rows of one system table in {@link #open}. */
    static final class MetadataInputFormat extends GenericInputFormat<RowData>
            implements NonParallelInput {
        private static final long serialVersionUID = 1L;
        private final SystemTables.Kind kind;
        private final Storages storages;
        private final String tableId;
        private transient Iterator<RowData> rows;

        MetadataInputFormat(SystemTables.Kind kind, Storages storages, String tableId) {
            this.kind = kind;
            this.storages = storages;
            this.tableId = tableId;
        }

        @Override
        public void open(GenericInputSplit split) throws IOException {
            super.open(split);
            rows = SystemTables.rows(kind, storages, tableId).iterator();
        }

        @Override
        public boolean reachedEnd() {
            return !rows.hasNext();
        }

        @Override
        public RowData nextRecord(RowData reuse) {
            return rows.next();
        }
    }
}
