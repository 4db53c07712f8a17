package dev.tiered.source.internal;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.state.Column;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.KeyRange;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableDefinitionParser;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a source instance was built with, validated by the builder: which table, where to
 * start, what to read. Serializable; the enumerator and the readers open the table from it where
 * they run.
 */
@Internal
public final class ReadConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String baseUri;
    private final String definitionJson;
    private final Boundedness boundedness;
    private final ScanMode scanMode;
    private final Long startCommit;
    private final Long startTimestampMillis;
    private final List<String> projection;
    private final String userId;
    private final Serializable keyLower;
    private final Serializable keyUpper;
    private final long limit;
    private final long discoveryIntervalMillis;

    private transient TableDefinition definition;

    public ReadConfig(
            String baseUri,
            TableDefinition definition,
            Boundedness boundedness,
            ScanMode scanMode,
            Long startCommit,
            Long startTimestampMillis,
            List<String> projection,
            String userId,
            Serializable keyLower,
            Serializable keyUpper,
            long limit,
            long discoveryIntervalMillis) {
        this.baseUri = baseUri;
        this.definitionJson = TableDefinitionParser.toJson(definition);
        this.definition = definition;
        this.boundedness = boundedness;
        this.scanMode = scanMode;
        this.startCommit = startCommit;
        this.startTimestampMillis = startTimestampMillis;
        this.projection = projection == null ? null : List.copyOf(projection);
        this.userId = userId;
        this.keyLower = keyLower;
        this.keyUpper = keyUpper;
        this.limit = limit;
        this.discoveryIntervalMillis = discoveryIntervalMillis;
    }

    public TableDefinition definition() {
        if (definition == null) {
            definition = TableDefinitionParser.fromJson(definitionJson);
        }
        return definition;
    }

    /** Opens the table in its storage (reads its newest definition). */
    public TieredTable openTable() throws IOException {
        TableDefinition def = definition();
        return TieredTable.open(new FlinkFileIO(), new Path(baseUri), def.namespace(), def.name());
    }

    public String baseUri() {
        return baseUri;
    }

    public Boundedness boundedness() {
        return boundedness;
    }

    public boolean isBounded() {
        return boundedness == Boundedness.BOUNDED;
    }

    public ScanMode scanMode() {
        return scanMode;
    }

    /** {@code scan.commit}, or null. */
    public Long startCommit() {
        return startCommit;
    }

    /** {@code scan.timestamp} in epoch milliseconds, or null. */
    public Long startTimestampMillis() {
        return startTimestampMillis;
    }

    /** The user whose scope alone is read (USER tables), or null for every scope. */
    public String userId() {
        return userId;
    }

    /** Rows each reader emits at most, or -1. */
    public long limit() {
        return limit;
    }

    public long discoveryIntervalMillis() {
        return discoveryIntervalMillis;
    }

    /** Names of the produced columns, in order. */
    public List<String> producedColumns() {
        if (projection != null) {
            return projection;
        }
        List<String> names = new ArrayList<>();
        for (Column column : definition().columns()) {
            names.add(column.name());
        }
        return names;
    }

    /** Positions of the produced columns in the table's physical row. */
    public int[] producedIndexes() {
        List<String> names = producedColumns();
        int[] indexes = new int[names.size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = definition().columnIndex(names.get(i));
        }
        return indexes;
    }

    /** The row type the source produces: the projected columns of the table. */
    public RowType producedType() {
        RowType physical = definition().rowType();
        int[] indexes = producedIndexes();
        LogicalType[] types = new LogicalType[indexes.length];
        String[] names = new String[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            types[i] = physical.getTypeAt(indexes[i]);
            names[i] = physical.getFieldNames().get(indexes[i]);
        }
        return RowType.of(types, names);
    }

    /** The key range filter as internal values of the key type. */
    public KeyRange keyRange() {
        if (keyLower == null && keyUpper == null) {
            return KeyRange.ALL;
        }
        LogicalType keyType = definition().columns().get(definition().primaryKeyIndex()).type();
        return KeyRange.between(
                KeyValues.toInternal(keyLower, keyType), KeyValues.toInternal(keyUpper, keyType));
    }

    /** What cold batches read: the projected columns (the key always) and the key range. */
    public BatchReadSpec batchReadSpec() {
        return batchReadSpec(keyRange());
    }

    /** What cold batches read: the projected columns (the key always) within {@code range}. */
    public BatchReadSpec batchReadSpec(KeyRange range) {
        return new BatchReadSpec(projection, range);
    }
}
