package dev.tiered.state.bench;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;

import org.rocksdb.RocksDBException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Random;

/**
 * Chat-message rows for the hot-store benchmarks (id BIGINT, user_id STRING, conversation_id
 * BIGINT, content STRING of about 100 characters, created_at TIMESTAMP(3)), each with the bytes the
 * hot store would write for it, so raw RocksDB calls can be measured on the same data.
 *
 * <p>The raw bytes follow the layout of docs/hot-tier.md: key = {@code 0x01, user id, 0x00, id with
 * the sign bit flipped}; value = op, {@code _seq}, null bitmap, then the fields.
 */
final class HotStoreBenchData {
    static final int USERS = 1000;
    private static final String WORDS =
            "hello when are we meeting tomorrow the build is green again ship it "
                    + "lunch? sounds good see you at noon coffee first then the demo ";

    final int size;
    final ScopeId[] scopes;
    final GenericRowData[] rows;
    final GenericRowData[] keyRows;
    final long[] seqs;
    final byte[][] rawKeys;
    final byte[][] rawValues;

    /**
     * {@code size} rows with increasing ids (snowflake-like message ids), spread over {@code
     * userCount} users (default {@link #USERS}) at random.
     */
    HotStoreBenchData(int size, long seed) {
        this(size, USERS, seed, false);
    }

    /**
     * @param randomIds random 64-bit ids instead of increasing snowflake ids
     */
    HotStoreBenchData(int size, int userCount, long seed, boolean randomIds) {
        this.size = size;
        Random random = new Random(seed);
        SnowflakeIds ids = new SnowflakeIds(1, Clock.systemUTC());
        String[] users = new String[userCount];
        for (int u = 0; u < userCount; u++) {
            users[u] = "user-" + (100_000 + u);
        }
        scopes = new ScopeId[size];
        rows = new GenericRowData[size];
        keyRows = new GenericRowData[size];
        seqs = new long[size];
        rawKeys = new byte[size][];
        rawValues = new byte[size][];
        long now = System.currentTimeMillis();
        for (int i = 0; i < size; i++) {
            String user = users[random.nextInt(userCount)];
            long id = randomIds ? random.nextLong() : ids.nextId();
            long conversation = random.nextInt(50_000);
            String content = content(random);
            scopes[i] = ScopeId.user(user);
            rows[i] =
                    GenericRowData.of(
                            id,
                            BinaryStringData.fromString(user),
                            conversation,
                            BinaryStringData.fromString(content),
                            TimestampData.fromEpochMillis(now + i));
            keyRows[i] = GenericRowData.of(id);
            seqs[i] = ids.nextId();
            rawKeys[i] = rawKey(user, id);
            rawValues[i] = rawValue(seqs[i], id, user, conversation, content, now + i);
        }
    }

    /** The rows as one hot segment of upserts, for loading a store by restore. */
    ChangeCursor cursor() {
        return new ChangeCursor() {
            private int position = -1;

            @Override
            public boolean next() {
                return ++position < size;
            }

            @Override
            public ScopeId scope() {
                return scopes[position];
            }

            @Override
            public long seq() {
                return seqs[position];
            }

            @Override
            public ChangeOp op() {
                return ChangeOp.UPSERT;
            }

            @Override
            public RowData row() {
                return rows[position];
            }

            @Override
            public void close() {}
        };
    }

    /** Loads the rows into a raw DB with puts, then compacts it (no background work remains). */
    void loadCompacted(HotStoreRawDb raw) throws RocksDBException {
        for (int i = 0; i < size; i++) {
            raw.db.put(raw.table, raw.writeOptions, rawKeys[i], rawValues[i]);
        }
        raw.db.compactRange(raw.table);
    }

    static TableDefinition messages() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                java.util.List.of("id"),
                java.util.Map.of("TYPE", "USER"),
                storage -> true);
    }

    private static String content(Random random) {
        StringBuilder s = new StringBuilder(110);
        int length = 90 + random.nextInt(20);
        while (s.length() < length) {
            int start = random.nextInt(WORDS.length() - 12);
            s.append(WORDS, start, start + 4 + random.nextInt(8));
        }
        return s.substring(0, length);
    }

    static byte[] rawKey(String user, long id) {
        byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(userBytes.length + 10)
                .put((byte) 1)
                .put(userBytes)
                .put((byte) 0)
                .putLong(id ^ Long.MIN_VALUE)
                .array();
    }

    static byte[] rawValue(
            long seq, long id, String user, long conversation, String content, long createdAt) {
        byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
        byte[] contentBytes = content.getBytes(StandardCharsets.UTF_8);
        // Lengths below 128 take one varint byte.
        ByteBuffer value =
                ByteBuffer.allocate(
                        9 + 1 + 8 + 1 + userBytes.length + 8 + 1 + contentBytes.length + 8);
        return value.put((byte) 0)
                .putLong(seq)
                .put((byte) 0)
                .putLong(id)
                .put((byte) userBytes.length)
                .put(userBytes)
                .putLong(conversation)
                .put((byte) contentBytes.length)
                .put(contentBytes)
                .putLong(createdAt)
                .array();
    }
}
