package dev.tiered.state.bench;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The merged read of one scope over both tiers ({@link ScopeReader}): {@link ChatRows#ROWS} keys in
 * two ZSTD batches (the newer one rewrites every other key) plus one hot segment that updates every
 * tenth key. Score: live rows/s out of the merge.
 *
 * <p>Run: {@code scripts/bench.sh MergedRead -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class MergedReadBenchmark {
    private java.nio.file.Path dir;
    private TieredTable table;
    private TableState state;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("merged-read-bench");
        table =
                TieredTable.create(
                        new FlinkFileIO(), new Path(dir.toUri().toString()), ChatRows.table());
        RowData[] rows = ChatRows.rows(ChatRows.ROWS);
        List<SegmentEntry> batches = new ArrayList<>();
        long seq = 1_000_000;
        for (int batch = 0; batch < 2; batch++) {
            Path path = new Path(table.scopeDir(ScopeId.SHARED), "batch-" + batch + ".parquet");
            BatchWriter.Options options =
                    BatchWriter.Options.defaults().withExpectedRows(rows.length);
            try (BatchWriter writer =
                    BatchWriter.create(path, table.definition(), ScopeId.SHARED, options)) {
                for (int i = batch; i < rows.length; i += batch + 1) {
                    writer.write(rows[i], seq++, ChangeOp.UPSERT);
                }
                batches.add(Segments.entry(writer.finish(), table.definition(), 0));
            }
        }
        long flushedThrough = seq++;
        Path hotPath = new Path(table.layout().hotDir(), "hot-0.avro");
        PendingCommit commit =
                new PendingCommit("flush", "bench", 1)
                        .changeScope(ScopeId.SHARED, batches, List.of(), flushedThrough);
        try (HotSegmentWriter writer = HotSegmentWriter.create(hotPath, table.definition())) {
            for (int i = 0; i < rows.length; i += 10) {
                writer.write(ScopeId.SHARED, seq++, ChangeOp.UPSERT, rows[i]);
            }
            commit.addHotSegment(Segments.ref(writer.finish(), "bench", 1));
        }
        state = table.committer(Clock.systemUTC()).commit(commit, 1).state();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        ChatRows.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(ChatRows.ROWS)
    public void mergedScan(Blackhole hole) throws IOException {
        long count = 0;
        try (ChangeCursor cursor =
                ScopeReader.open(table, state, ScopeId.SHARED, BatchReadSpec.all(), 0, false)) {
            while (cursor.next()) {
                hole.consume(cursor.row());
                count++;
            }
        }
        if (count != ChatRows.ROWS) {
            throw new IllegalStateException("merged " + count + " rows, expected " + ChatRows.ROWS);
        }
    }
}
