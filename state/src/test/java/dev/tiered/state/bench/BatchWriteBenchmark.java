package dev.tiered.state.bench;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.FileSyncs;
import dev.tiered.state.cold.FlinkOutputFile;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Cold batch write throughput: our {@link BatchWriter} (RowData straight to Parquet) against
 * parquet-avro's {@code AvroParquetWriter} fed the same rows as GenericRecords, both ZSTD, same
 * row-group size, dictionary encoding and a bloom filter on {@code id}. Scores are rows/s (one
 * operation = one row; each invocation writes a file of {@link ChatRows#ROWS} rows). MB/s = rows/s
 * × the bytes per row printed at the end of the trial.
 *
 * <p>{@code tieredSmallUserBatches} is a USER table's end-of-input flush in miniature: {@value
 * #SMALL_BATCHES} batches of {@value #SMALL_BATCH_ROWS} rows, one user each, synced in the
 * background as the sink does, with strings that are views into a larger row buffer (as the hot
 * store's rows are). There the cost per file (codec streams, column buffers, footer) weighs as much
 * as the cost per row.
 *
 * <p>Run: {@code scripts/bench.sh BatchWrite -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class BatchWriteBenchmark {
    static final int SMALL_BATCHES = 200;
    static final int SMALL_BATCH_ROWS = 2_000;

    private TableDefinition table;
    private RowData[] rows;
    private TableDefinition userTable;
    private ScopeId[] smallScopes;
    private RowData[][] smallBatches;
    private Schema avroSchema;
    private java.nio.file.Path dir;
    private int file;
    private long lastFileBytes;
    private int lastFileRows = ChatRows.ROWS;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        table = ChatRows.table();
        rows = ChatRows.rows(ChatRows.ROWS);
        avroSchema = avroSchema();
        dir = Files.createTempDirectory("batch-write-bench");
        userTable = ChatRows.userTable();
        smallScopes = new ScopeId[SMALL_BATCHES];
        smallBatches = new RowData[SMALL_BATCHES][SMALL_BATCH_ROWS];
        for (int b = 0; b < SMALL_BATCHES; b++) {
            smallScopes[b] = ScopeId.user("user-" + b);
            StringData user = inRowBuffer(smallScopes[b].userId());
            for (int i = 0; i < SMALL_BATCH_ROWS; i++) {
                RowData row = rows[(b * SMALL_BATCH_ROWS + i) % rows.length];
                smallBatches[b][i] =
                        GenericRowData.of(
                                1_000_000L + i,
                                user,
                                row.getLong(2),
                                inRowBuffer(row.getString(3).toString()),
                                row.getTimestamp(4, 3));
            }
        }
    }

    /** A string viewed at an offset of a larger buffer, as the hot store's rows hold them. */
    private static StringData inRowBuffer(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[16 + utf8.length];
        System.arraycopy(utf8, 0, buffer, 16, utf8.length);
        return BinaryStringData.fromAddress(
                new MemorySegment[] {MemorySegmentFactory.wrap(buffer)}, 16, utf8.length);
    }

    @TearDown(Level.Invocation)
    public void deleteFiles() throws IOException {
        ChatRows.deleteRecursively(dir);
        Files.createDirectories(dir);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        System.out.printf(
                "%nrows per file: %d, raw bytes per row: %.1f, file bytes per row: %.1f%n",
                lastFileRows,
                ChatRows.rawBytes(rows) / (double) rows.length,
                lastFileBytes / (double) lastFileRows);
        ChatRows.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(ChatRows.ROWS)
    public long tieredBatchWriter() throws IOException {
        Path path = nextPath();
        BatchWriter.Options options = BatchWriter.Options.defaults().withExpectedRows(rows.length);
        try (BatchWriter writer = BatchWriter.create(path, table, ScopeId.SHARED, options)) {
            for (int i = 0; i < rows.length; i++) {
                writer.write(rows[i], 5_000_000L + i, ChangeOp.UPSERT);
            }
            lastFileBytes = writer.finish().sizeBytes();
        }
        return lastFileBytes;
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_BATCHES * SMALL_BATCH_ROWS)
    public long tieredSmallUserBatches() throws IOException {
        BatchWriter.Options options =
                BatchWriter.Options.defaults().withExpectedRows(SMALL_BATCH_ROWS);
        long bytes = 0;
        try (FileSyncs syncs = new FileSyncs(2)) {
            for (int b = 0; b < SMALL_BATCHES; b++) {
                Path path = nextPath();
                FileSystem fs = path.getFileSystem();
                try (BatchWriter writer =
                        BatchWriter.create(fs, path, userTable, smallScopes[b], options, syncs)) {
                    RowData[] batch = smallBatches[b];
                    for (int i = 0; i < batch.length; i++) {
                        writer.write(batch[i], 5_000_000L + i, ChangeOp.UPSERT);
                    }
                    bytes += writer.finish().sizeBytes();
                }
            }
            syncs.awaitAll();
        }
        lastFileBytes = bytes / SMALL_BATCHES;
        lastFileRows = SMALL_BATCH_ROWS;
        return bytes;
    }

    @Benchmark
    @OperationsPerInvocation(ChatRows.ROWS)
    public long avroParquetWriter() throws IOException {
        FlinkOutputFile file = FlinkOutputFile.of(nextPath());
        try (ParquetWriter<GenericRecord> writer =
                AvroParquetWriter.<GenericRecord>builder(file)
                        .withSchema(avroSchema)
                        .withConf(new PlainParquetConfiguration())
                        .withWriteMode(ParquetFileWriter.Mode.CREATE)
                        .withCompressionCodec(CompressionCodecName.ZSTD)
                        .withRowGroupSize(BatchWriter.Options.DEFAULT_ROW_GROUP_BYTES)
                        .withBloomFilterEnabled("id", true)
                        .withBloomFilterNDV("id", rows.length)
                        .build()) {
            for (int i = 0; i < rows.length; i++) {
                writer.write(toRecord(rows[i], 5_000_000L + i));
            }
        }
        lastFileBytes = file.bytesWritten();
        return lastFileBytes;
    }

    /** What a RowData-to-parquet-avro pipeline does per row: a new GenericRecord. */
    private GenericRecord toRecord(RowData row, long seq) {
        GenericRecord record = new GenericData.Record(avroSchema);
        record.put(0, row.getLong(0));
        record.put(1, row.getString(1).toString());
        record.put(2, row.getLong(2));
        record.put(3, row.getString(3).toString());
        record.put(4, row.getTimestamp(4, 3).getMillisecond());
        record.put(5, seq);
        record.put(6, false);
        return record;
    }

    private static Schema avroSchema() {
        Schema timestamp =
                LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        return SchemaBuilder.record("messages")
                .fields()
                .requiredLong("id")
                .optionalString("user_id")
                .optionalLong("conversation_id")
                .optionalString("content")
                .name("created_at")
                .type()
                .unionOf()
                .nullType()
                .and()
                .type(timestamp)
                .endUnion()
                .nullDefault()
                .requiredLong("_seq")
                .requiredBoolean("_deleted")
                .endRecord();
    }

    private Path nextPath() {
        return new Path(dir.toUri().toString(), "batch-" + (++file) + ".parquet");
    }
}
