package dev.tiered.e2e.bench;

import dev.tiered.bench.workload.ChatMessages;

import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * The benchmark workload as a Flink generator: row {@code i} of {@link ChatMessages} (the same rows
 * the Paimon benchmark module generates). With {@code wallClock}, {@code created_at} is the time
 * the row was generated instead of the fixed {@code EPOCH + i}, so that a reader can measure how
 * long a row took to become visible.
 */
final class ChatWorkload implements GeneratorFunction<Long, RowData> {
    private static final long serialVersionUID = 1L;

    private final ChatMessages messages;
    private final boolean wallClock;

    ChatWorkload(int users, int updatePercent) {
        this(users, updatePercent, false);
    }

    ChatWorkload(int users, int updatePercent, boolean wallClock) {
        this.messages = new ChatMessages(users, updatePercent);
        this.wallClock = wallClock;
    }

    @Override
    public RowData map(Long index) {
        long i = index;
        long id = messages.id(i);
        return GenericRowData.of(
                id,
                StringData.fromString(messages.userId(id)),
                messages.conversationId(id),
                StringData.fromString(messages.content(i)),
                TimestampData.fromEpochMillis(
                        wallClock ? System.currentTimeMillis() : messages.createdAtMillis(i)));
    }
}
