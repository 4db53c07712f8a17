package dev.tiered.source.testing;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects strings into a static queue, in arrival order, without any transaction: what reaches it
 * before a savepoint barrier stays, nothing after it does. One test at a time uses it.
 */
public final class EventSink implements Sink<String> {
    private static final ConcurrentLinkedQueue<String> EVENTS = new ConcurrentLinkedQueue<>();

    public static List<String> events() {
        return List.copyOf(EVENTS);
    }

    public static int size() {
        return EVENTS.size();
    }

    public static void clear() {
        EVENTS.clear();
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(String element, Context context) {
                EVENTS.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
