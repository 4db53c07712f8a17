package dev.tiered.state.cold;

import dev.tiered.state.TableDefinition;

import org.apache.flink.table.types.logical.LogicalType;

import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

import java.util.ArrayList;
import java.util.List;

/** File-level column statistics of a batch, folded from the row-group statistics of its footer. */
final class BatchStats {
    private BatchStats() {}

    static List<BatchFile.ColumnStats> of(
            ParquetMetadata footer, TableDefinition table, List<String> columns) {
        List<BatchFile.ColumnStats> stats = new ArrayList<>(columns.size());
        for (String column : columns) {
            LogicalType type = table.column(column).orElseThrow().type();
            Statistics<?> merged = merge(footer, ColumnPath.get(column));
            if (merged == null) {
                continue; // no row group wrote statistics for it: report nothing rather than guess
            }
            String min = null;
            String max = null;
            if (merged.hasNonNullValue()) {
                min = text(merged.genericGetMin(), type);
                max = text(merged.genericGetMax(), type);
            }
            stats.add(new BatchFile.ColumnStats(column, min, max, merged.getNumNulls()));
        }
        return stats;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Statistics<?> merge(ParquetMetadata footer, ColumnPath path) {
        Statistics merged = null;
        for (BlockMetaData block : footer.getBlocks()) {
            for (ColumnChunkMetaData chunk : block.getColumns()) {
                if (!chunk.getPath().equals(path)) {
                    continue;
                }
                Statistics<?> statistics = chunk.getStatistics();
                if (statistics == null || !statistics.isNumNullsSet()) {
                    return null;
                }
                if (merged == null) {
                    merged = statistics.copy();
                } else {
                    merged.mergeStatistics(statistics);
                }
            }
        }
        return merged;
    }

    private static String text(Object parquetValue, LogicalType type) {
        return ParquetValues.toText(ParquetValues.fromParquet(parquetValue, type), type);
    }
}
