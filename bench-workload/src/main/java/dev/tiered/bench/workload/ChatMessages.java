package dev.tiered.bench.workload;

import java.io.Serializable;

/**
 * The job-level benchmarks' workload, a pure function of the row index: chat messages ({@code id
 * BIGINT} key, {@code user_id} over {@code users} users, {@code conversation_id}, about 100
 * characters of {@code content}, {@code created_at}). With an update share above 0, that percentage
 * of the rows rewrite an earlier id (same user and conversation, new content) instead of adding
 * one.
 *
 * <p>Free of dependencies so that every benchmark job, whatever Flink version it runs on, generates
 * the same rows; each job wraps it in its own Flink generator function. The accessors are
 * allocation-free except {@link #content}, which builds the one string a row needs.
 */
public final class ChatMessages implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code created_at} of row 0, epoch milliseconds; row {@code i} is {@code EPOCH + i}. */
    public static final long EPOCH = 1_763_600_000_000L;

    private static final String[] WORDS = {
        "hello", "meeting", "tomorrow", "thanks", "great", "see", "you", "the", "report", "is",
        "ready", "lunch", "today", "call", "me", "later", "project", "update", "sounds", "good",
        "let's", "ship", "it", "review", "please", "done", "coffee", "weekend", "plans", "music"
    };

    private final int users;
    private final int updatePercent;

    public ChatMessages(int users, int updatePercent) {
        if (users <= 0 || updatePercent < 0 || updatePercent > 100) {
            throw new IllegalArgumentException(
                    "Cannot create chat workload: users must be > 0 and the update share 0..100");
        }
        this.users = users;
        this.updatePercent = updatePercent;
    }

    /** The message id of row {@code index}: the index itself, or an earlier id for an update. */
    public long id(long index) {
        long mixed = mix(index);
        if (index > 0 && Long.remainderUnsigned(mixed, 100) < updatePercent) {
            return Long.remainderUnsigned(mixed >>> 7, index); // an earlier message, edited
        }
        return index;
    }

    /** The owner of message {@code id} (stable across its updates), 0..users-1. */
    public int userIndex(long id) {
        return (int) Long.remainderUnsigned(mix(id), users);
    }

    /** The owner's user id string, {@code user<n>}. */
    public String userId(long id) {
        return "user" + userIndex(id);
    }

    /** The conversation of message {@code id}, 0..9999. */
    public long conversationId(long id) {
        return Long.remainderUnsigned(mix(id) >>> 20, 10_000);
    }

    /** About 100 characters of words, different for every row (also for updates of an id). */
    public String content(long index) {
        StringBuilder text = new StringBuilder(110);
        long bits = mix(index);
        while (text.length() < 100) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(WORDS[(int) Long.remainderUnsigned(bits, WORDS.length)]);
            bits = mix(bits);
        }
        return text.toString();
    }

    /** {@code created_at} of row {@code index}, epoch milliseconds. */
    public long createdAtMillis(long index) {
        return EPOCH + index;
    }

    public int users() {
        return users;
    }

    public int updatePercent() {
        return updatePercent;
    }

    /** SplitMix64's finaliser: a fixed, well-spread function of the index. */
    public static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
