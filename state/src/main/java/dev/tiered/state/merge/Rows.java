package dev.tiered.state.merge;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Deep copies of rows whose source reuses its buffers (cursor rows are valid only until the next
 * call): strings, binaries and decimals are copied, so the copy shares nothing with the source.
 */
public final class Rows {
    private final RowData.FieldGetter[] getters;
    private final LogicalType[] types;

    public Rows(RowType rowType) {
        int n = rowType.getFieldCount();
        this.getters = new RowData.FieldGetter[n];
        this.types = new LogicalType[n];
        for (int i = 0; i < n; i++) {
            types[i] = rowType.getTypeAt(i);
            getters[i] = RowData.createFieldGetter(types[i], i);
        }
    }

    public GenericRowData copy(RowData row) {
        GenericRowData copy = new GenericRowData(row.getRowKind(), getters.length);
        for (int i = 0; i < getters.length; i++) {
            copy.setField(i, copyValue(types[i], getters[i].getFieldOrNull(row)));
        }
        return copy;
    }

    private static Object copyValue(LogicalType type, Object value) {
        if (value == null) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return value instanceof BinaryStringData s ? s.copy() : value;
            case BINARY:
            case VARBINARY:
                return ((byte[]) value).clone();
            case DECIMAL:
                return ((DecimalData) value).copy();
            default:
                return value;
        }
    }
}
