package dev.tiered.state.cold;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The page compression of the Parquet files we write. Every codec here is readable by DuckDB, Spark
 * and Polars. The codecs run through Parquet's Hadoop codec classes, which come from {@code
 * hadoop-client-api} and {@code hadoop-client-runtime} (DESIGN §2).
 */
public enum ParquetCompression {
    /** The default for cold batches: the best ratio at a write cost close to Snappy's. */
    ZSTD(CompressionCodecName.ZSTD),
    SNAPPY(CompressionCodecName.SNAPPY),
    GZIP(CompressionCodecName.GZIP),
    UNCOMPRESSED(CompressionCodecName.UNCOMPRESSED);

    private final CompressionCodecName codec;

    ParquetCompression(CompressionCodecName codec) {
        this.codec = codec;
    }

    CompressionCodecName codec() {
        return codec;
    }
}
