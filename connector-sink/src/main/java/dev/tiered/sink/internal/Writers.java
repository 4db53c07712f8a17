package dev.tiered.sink.internal;

import dev.tiered.sink.RowConverter;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.util.Collection;

/**
 * Creates writers for {@link dev.tiered.sink.TieredSink}, whose writer class is package-private.
 */
@Internal
public final class Writers {
    private Writers() {}

    public static <IN> StatefulSinkWriter<IN, WriterState> create(
            TableHandle table,
            RowConverter<IN> converter,
            SinkConfig config,
            WriterInitContext context,
            Collection<WriterState> restored)
            throws IOException {
        return new TieredSinkWriter<>(table, converter, config, context, restored);
    }
}
