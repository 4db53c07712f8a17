package dev.tiered.state.merge;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The key order of the storage format: the order of cold batches, of hot-store iteration and of
 * merges. Natural SQL order of the key type: numbers numerically, strings by UTF-8 bytes (code
 * point order), binaries by unsigned bytes, FLOAT/DOUBLE by {@link Double#compare} (a total order),
 * temporal types chronologically. Keys are never null.
 */
public final class KeyComparators {
    private KeyComparators() {}

    /** Compares the field at {@code pos} of two rows of the same type. */
    public static Comparator<RowData> forField(LogicalType type, int pos) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return (a, b) ->
                        ((BinaryStringData) a.getString(pos))
                                .compareTo((BinaryStringData) b.getString(pos));
            case BINARY:
            case VARBINARY:
                return (a, b) -> Arrays.compareUnsigned(a.getBinary(pos), b.getBinary(pos));
            case BOOLEAN:
                return (a, b) -> Boolean.compare(a.getBoolean(pos), b.getBoolean(pos));
            case TINYINT:
                return (a, b) -> Byte.compare(a.getByte(pos), b.getByte(pos));
            case SMALLINT:
                return (a, b) -> Short.compare(a.getShort(pos), b.getShort(pos));
            case INTEGER:
            case DATE:
            case TIME_WITHOUT_TIME_ZONE:
                return (a, b) -> Integer.compare(a.getInt(pos), b.getInt(pos));
            case BIGINT:
                return (a, b) -> Long.compare(a.getLong(pos), b.getLong(pos));
            case FLOAT:
                return (a, b) -> Float.compare(a.getFloat(pos), b.getFloat(pos));
            case DOUBLE:
                return (a, b) -> Double.compare(a.getDouble(pos), b.getDouble(pos));
            case DECIMAL:
                int precision = LogicalTypeChecks.getPrecision(type);
                int scale = LogicalTypeChecks.getScale(type);
                return (a, b) -> {
                    DecimalData x = a.getDecimal(pos, precision, scale);
                    DecimalData y = b.getDecimal(pos, precision, scale);
                    return x.compareTo(y);
                };
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                int tsPrecision = LogicalTypeChecks.getPrecision(type);
                return (a, b) -> {
                    TimestampData x = a.getTimestamp(pos, tsPrecision);
                    TimestampData y = b.getTimestamp(pos, tsPrecision);
                    return x.compareTo(y);
                };
            default:
                throw new IllegalArgumentException(
                        "Cannot order keys of type " + type.asSummaryString());
        }
    }
}
