package dev.tiered.state.merge;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.testing.ListCursor;
import dev.tiered.state.testing.ListCursor.Version;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Merge correctness against a plain map (invariant 5, no resurrection): random upserts and deletes,
 * flushes of the hot rows into sorted batches, partial compactions that keep tombstones and full
 * compactions that drop them; after every step the merged read equals the model.
 */
class MergeModelTest {
    private static final ScopeId SCOPE = ScopeId.SHARED;
    private static final RowType TYPE =
            RowType.of(new BigIntType(false), new VarCharType(VarCharType.MAX_LENGTH));
    private static final Comparator<RowData> KEYS = KeyComparators.forField(new BigIntType(), 0);

    /** A scope: batches (oldest first) and hot changes in arrival order. */
    private static final class Scope {
        final List<List<Version>> batches = new ArrayList<>();
        final List<Version> hot = new ArrayList<>();
        long seq;

        void write(long key, ChangeOp op, String value) {
            seq++;
            hot.add(
                    new Version(
                            SCOPE,
                            seq,
                            op,
                            GenericRowData.of(
                                    key,
                                    op == ChangeOp.DELETE ? null : StringData.fromString(value))));
        }

        ChangeCursor hotCursor() throws IOException {
            return new HotRows(SCOPE, TYPE, KEYS).addAll(new ListCursor(hot), s -> true).cursor();
        }

        void flush() throws IOException {
            List<Version> batch = drain(hotCursor());
            if (!batch.isEmpty()) {
                batches.add(batch);
            }
            hot.clear();
        }

        /**
         * Merges the newest {@code count} batches into one; tombstones are dropped only if none
         * older remain.
         */
        void compact(int count) throws IOException {
            int from = batches.size() - count;
            List<ChangeCursor> inputs = new ArrayList<>();
            for (List<Version> batch : batches.subList(from, batches.size())) {
                inputs.add(new ListCursor(batch));
            }
            boolean full = from == 0;
            List<Version> merged = drain(new MergeCursor(inputs, KEYS, !full));
            batches.subList(from, batches.size()).clear();
            if (!merged.isEmpty()) {
                batches.add(from, merged);
            }
        }

        Map<Long, String> read() throws IOException {
            List<ChangeCursor> inputs = new ArrayList<>();
            for (List<Version> batch : batches) {
                inputs.add(new ListCursor(batch));
            }
            inputs.add(hotCursor());
            Map<Long, String> result = new TreeMap<>();
            long previous = Long.MIN_VALUE;
            try (MergeCursor merge = new MergeCursor(inputs, KEYS, false)) {
                while (merge.next()) {
                    long key = merge.row().getLong(0);
                    assertThat(key).as("keys ascend").isGreaterThan(previous);
                    previous = key;
                    assertThat(merge.op()).isEqualTo(ChangeOp.UPSERT);
                    result.put(key, merge.row().getString(1).toString());
                }
            }
            return result;
        }

        private static List<Version> drain(ChangeCursor cursor) throws IOException {
            List<Version> out = new ArrayList<>();
            try (cursor) {
                while (cursor.next()) {
                    out.add(new Version(cursor.scope(), cursor.seq(), cursor.op(), cursor.row()));
                }
            }
            return out;
        }
    }

    @Test
    void randomHistoriesReadAsTheModel() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int history = 0; history < 2_000; history++) {
            Scope scope = new Scope();
            Map<Long, String> model = new TreeMap<>();
            int keys = 1 + random.nextInt(20);
            int steps = 1 + random.nextInt(60);
            for (int step = 0; step < steps; step++) {
                int action = random.nextInt(100);
                long key = random.nextInt(keys);
                if (action < 50) {
                    String value = "v" + step;
                    scope.write(key, ChangeOp.UPSERT, value);
                    model.put(key, value);
                } else if (action < 75) {
                    scope.write(key, ChangeOp.DELETE, null);
                    model.remove(key);
                } else if (action < 90) {
                    scope.flush();
                } else if (!scope.batches.isEmpty()) {
                    scope.compact(1 + random.nextInt(scope.batches.size()));
                }
                assertThat(scope.read())
                        .as("seed %d, history %d, step %d", seed, history, step)
                        .isEqualTo(model);
            }
        }
    }

    /** The case KalamDB once got wrong: delete after flush, then flush, then compact the newest. */
    @Test
    void deleteAfterFlushNeverResurrects() throws IOException {
        Scope scope = new Scope();
        scope.write(7, ChangeOp.UPSERT, "old");
        scope.flush();
        scope.write(7, ChangeOp.DELETE, null);
        scope.flush();
        assertThat(scope.read()).isEmpty();
        scope.compact(1);
        assertThat(scope.read()).isEmpty();
        assertThat(scope.batches).hasSize(2);
        assertThat(scope.batches.get(1)).extracting(Version::op).containsExactly(ChangeOp.DELETE);
        scope.compact(2);
        assertThat(scope.read()).isEmpty();
        assertThat(scope.batches)
                .as("a full compaction drops the tombstone and the old row")
                .isEmpty();
    }

    @Test
    void closingTheMergeClosesEveryInput() throws IOException {
        ListCursor a = new ListCursor(List.of());
        ListCursor b = new ListCursor(List.of());
        new MergeCursor(List.of(a, b), KEYS, false).close();
        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isTrue();
    }
}
