package dev.tiered.state.bench;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The benchmarks' data: chat messages of the seed's shape (id BIGINT, user_id STRING,
 * conversation_id BIGINT, ~100-character content STRING, created_at TIMESTAMP(3)), generated from a
 * fixed seed. Content is drawn from a vocabulary, so it compresses like text does.
 */
final class ChatRows {
    static final int ROWS = 100_000;
    static final int USERS = 100;
    private static final String[] WORDS = {
        "the",
        "meeting",
        "is",
        "moved",
        "to",
        "tomorrow",
        "morning",
        "please",
        "check",
        "your",
        "calendar",
        "and",
        "confirm",
        "I",
        "will",
        "send",
        "notes",
        "after",
        "lunch",
        "thanks",
        "great",
        "idea",
        "let's",
        "ship",
        "it",
        "on",
        "Friday",
        "can",
        "you",
        "review",
        "my",
        "pull",
        "request",
        "deploy",
        "failed",
        "again",
        "because",
        "of",
        "flaky",
        "tests"
    };

    private ChatRows() {}

    /** A SHARED chat.messages table (one scope: batch writes need no owner checks). */
    static TableDefinition table() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of(),
                s -> true);
    }

    /** The USER-table version of chat.messages, as hot segments see it. */
    static TableDefinition userTable() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                List.of("id"),
                Map.of("TYPE", "USER"),
                s -> true);
    }

    /** Rows in id order (as a batch takes them). */
    static RowData[] rows(int count) {
        Random random = new Random(20240501L);
        RowData[] rows = new RowData[count];
        for (int i = 0; i < count; i++) {
            rows[i] =
                    GenericRowData.of(
                            1_000_000L + i,
                            StringData.fromString(userId(i)),
                            (long) random.nextInt(1000),
                            StringData.fromString(content(random)),
                            TimestampData.fromEpochMillis(1_714_557_600_000L + i * 10L));
        }
        return rows;
    }

    static String userId(int row) {
        return "user-" + (row % USERS);
    }

    /** The scope of each row of {@link #rows}, one ScopeId instance per user. */
    static ScopeId[] scopes(int count) {
        ScopeId[] users = new ScopeId[USERS];
        for (int u = 0; u < USERS; u++) {
            users[u] = ScopeId.user("user-" + u);
        }
        ScopeId[] scopes = new ScopeId[count];
        for (int i = 0; i < count; i++) {
            scopes[i] = users[i % USERS];
        }
        return scopes;
    }

    /** The rows' raw size: 8 bytes per BIGINT and TIMESTAMP, UTF-8 bytes of the strings. */
    static long rawBytes(RowData[] rows) {
        long bytes = 0;
        for (RowData row : rows) {
            bytes += 8 * 3 + row.getString(1).toBytes().length + row.getString(3).toBytes().length;
        }
        return bytes;
    }

    private static String content(Random random) {
        StringBuilder text = new StringBuilder();
        while (text.length() < 100) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return text.substring(0, 100);
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
