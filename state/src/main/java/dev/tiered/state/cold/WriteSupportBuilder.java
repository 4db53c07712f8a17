package dev.tiered.state.cold;

import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;

/**
 * Parquet's writer builder bound to a ready {@link WriteSupport}: Parquet's builder API asks
 * subclasses for the write support, and this one just hands it over, whatever the configuration.
 */
final class WriteSupportBuilder<T> extends ParquetWriter.Builder<T, WriteSupportBuilder<T>> {
    private final WriteSupport<T> support;

    WriteSupportBuilder(OutputFile file, WriteSupport<T> support) {
        super(file);
        this.support = support;
    }

    @Override
    protected WriteSupportBuilder<T> self() {
        return this;
    }

    @SuppressWarnings("deprecation") // still abstract in Parquet 1.15: must be implemented
    @Override
    protected WriteSupport<T> getWriteSupport(org.apache.hadoop.conf.Configuration configuration) {
        return support;
    }

    @Override
    protected WriteSupport<T> getWriteSupport(ParquetConfiguration configuration) {
        return support;
    }
}
