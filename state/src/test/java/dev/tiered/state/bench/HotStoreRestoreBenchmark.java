package dev.tiered.state.bench;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotTable;

import org.apache.flink.table.data.RowData;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Rebuilding a hot store from hot segments: {@code changes} chat-message changes (a fifth of them
 * newer versions of earlier keys, one in twenty deletes) in arrival order, restored by {@link
 * HotTable#restore} (sort, dedupe, SST ingest), by applying each change ({@link HotTable#apply}:
 * read-before-write, memtable), and by raw RocksDB puts of the pre-encoded changes. The {@code
 * rows} counter is changes/s; each invocation starts from an empty store.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@State(Scope.Benchmark)
public class HotStoreRestoreBenchmark {
    @Param({"1000", "10000", "1000000"})
    public int changes;

    ScopeId[] scopes;
    long[] seqs;
    ChangeOp[] ops;
    RowData[] rows;
    byte[][] rawKeys;
    byte[][] rawValues;

    HotStore store;
    Path rawDirectory;
    HotStoreRawDb raw;

    /** Changes restored, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rows {
        public long rows;
    }

    @Setup(Level.Trial)
    public void generate() {
        int distinct = changes - changes / 5;
        HotStoreBenchData data = new HotStoreBenchData(distinct, 5);
        Random random = new Random(13);
        scopes = new ScopeId[changes];
        seqs = new long[changes];
        ops = new ChangeOp[changes];
        rows = new RowData[changes];
        rawKeys = new byte[changes][];
        rawValues = new byte[changes][];
        int fresh = 0;
        for (int i = 0; i < changes; i++) {
            boolean again = fresh > 0 && (fresh == distinct || random.nextInt(5) == 0);
            int source = again ? random.nextInt(fresh) : fresh++;
            scopes[i] = data.scopes[source];
            seqs[i] = data.seqs[0] + i; // arrival order is version order
            ops[i] = again && random.nextInt(4) == 0 ? ChangeOp.DELETE : ChangeOp.UPSERT;
            rows[i] = data.rows[source];
            rawKeys[i] = data.rawKeys[source];
            rawValues[i] = data.rawValues[source];
        }
    }

    @Setup(Level.Invocation)
    public void open() throws Exception {
        store = HotStoreBenchSupport.openHotStore();
        rawDirectory = HotStoreBenchSupport.newRawDirectory();
        raw = new HotStoreRawDb(rawDirectory);
    }

    @TearDown(Level.Invocation)
    public void close() throws Exception {
        HotStoreBenchSupport.close(store);
        raw.close();
        HotStoreBenchSupport.delete(rawDirectory);
    }

    @Benchmark
    public long bulkRestore(Rows counter) throws Exception {
        long loaded =
                store.table("chat.messages")
                        .restore(List.of(new ArrayCursor()), scope -> true)
                        .entriesLoaded();
        counter.rows += changes;
        return loaded;
    }

    @Benchmark
    public long rowByRowRestore(Rows counter) throws Exception {
        HotTable table = store.table("chat.messages");
        try (ArrayCursor cursor = new ArrayCursor()) {
            while (cursor.next()) {
                table.apply(cursor.scope(), cursor.seq(), cursor.op(), cursor.row());
            }
        }
        counter.rows += changes;
        return table.entryCount();
    }

    @Benchmark
    public void rawPuts(Rows counter) throws Exception {
        for (int i = 0; i < changes; i++) {
            raw.db.put(raw.table, raw.writeOptions, rawKeys[i], rawValues[i]);
        }
        counter.rows += changes;
    }

    /** The changes as one hot segment. */
    private final class ArrayCursor implements ChangeCursor {
        private int position = -1;

        @Override
        public boolean next() {
            return ++position < changes;
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
            return ops[position];
        }

        @Override
        public RowData row() {
            return rows[position];
        }

        @Override
        public void close() {}
    }
}
