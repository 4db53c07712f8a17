package dev.tiered.e2e.bench;

import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * The benchmark workload, generated deterministically from the row index: chat messages ({@code id
 * BIGINT} key, {@code user_id} over {@code users} users, {@code conversation_id}, about 100
 * characters of {@code content}, {@code created_at}). With {@code updateShare} > 0 that share of
 * the rows rewrite an earlier id (same user, new content) instead of adding one.
 */
final class ChatWorkload implements GeneratorFunction<Long, RowData> {
    private static final long serialVersionUID = 1L;
    private static final long EPOCH = 1_763_600_000_000L;
    private static final String[] WORDS = {
        "hello", "meeting", "tomorrow", "thanks", "great", "see", "you", "the", "report", "is",
        "ready", "lunch", "today", "call", "me", "later", "project", "update", "sounds", "good",
        "let's", "ship", "it", "review", "please", "done", "coffee", "weekend", "plans", "music"
    };

    private final int users;
    private final int updatePercent;

    ChatWorkload(int users, int updatePercent) {
        this.users = users;
        this.updatePercent = updatePercent;
    }

    @Override
    public RowData map(Long index) {
        long i = index;
        long mixed = mix(i);
        long id = i;
        if (i > 0 && Long.remainderUnsigned(mixed, 100) < updatePercent) {
            id = Long.remainderUnsigned(mixed >>> 7, i); // an earlier message, edited
        }
        return GenericRowData.of(
                id,
                StringData.fromString("user" + Long.remainderUnsigned(mix(id), users)),
                Long.remainderUnsigned(mix(id) >>> 20, 10_000),
                StringData.fromString(content(mixed)),
                TimestampData.fromEpochMillis(EPOCH + i));
    }

    private static String content(long seed) {
        StringBuilder text = new StringBuilder(110);
        long bits = seed;
        while (text.length() < 100) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(WORDS[(int) Long.remainderUnsigned(bits, WORDS.length)]);
            bits = mix(bits);
        }
        return text.toString();
    }

    /** SplitMix64's finaliser: a fixed, well-spread function of the index. */
    private static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
