package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.Path;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;

import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batch writer's contract: codecs, tombstones, the file description, order and cleanup. */
class BatchWriterTest {
    private static final TableDefinition MESSAGES = ColdTables.messages();
    private static final ScopeId ALICE = ScopeId.user("alice");

    @TempDir java.nio.file.Path dir;
    private final TrackingFileSystem fs = new TrackingFileSystem();

    @ParameterizedTest
    @EnumSource(ParquetCompression.class)
    void everyCodecWritesAndReadsBack(ParquetCompression compression) throws IOException {
        Path path = path("batch-1.parquet");
        List<GenericRowData> rows = new ArrayList<>();
        try (BatchWriter writer =
                create(path, BatchWriter.Options.defaults().withCompression(compression))) {
            for (long id = 0; id < 1000; id++) {
                GenericRowData row = message(id, "alice", "message " + id % 7);
                writer.write(row, 5000 + id, ChangeOp.UPSERT);
                rows.add(row);
            }
            writer.finish();
        }

        assertThat(ColdTables.drain(open(path, BatchReadSpec.all()), MESSAGES))
                .extracting(ColdTables.Change::row)
                .containsExactlyElementsOf(rows);
        for (ColumnChunkMetaData chunk : footer(path).getBlocks().get(0).getColumns()) {
            assertThat(chunk.getCodec()).isEqualTo(compression.codec());
        }
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void defaultCompressionIsZstd() throws IOException {
        Path path = path("batch-1.parquet");
        try (BatchWriter writer = create(path, BatchWriter.Options.defaults())) {
            writer.write(message(1, "alice", "hi"), 1, ChangeOp.UPSERT);
            writer.finish();
        }
        assertThat(footer(path).getBlocks().get(0).getColumns())
                .extracting(ColumnChunkMetaData::getCodec)
                .containsOnly(CompressionCodecName.ZSTD);
    }

    @Test
    void tombstoneKeepsOnlyItsKeyEvenWhereTheTableSaysNotNull() throws IOException {
        TableDefinition table = ColdTables.shared("id BIGINT NOT NULL", "name STRING NOT NULL");
        Path path = path("batch-1.parquet");
        try (BatchWriter writer =
                BatchWriter.create(
                        fs, path, table, ScopeId.SHARED, BatchWriter.Options.defaults())) {
            writer.write(GenericRowData.of(1L, StringData.fromString("a")), 10, ChangeOp.UPSERT);
            writer.write(GenericRowData.of(1L, StringData.fromString("a")), 11, ChangeOp.DELETE);
            writer.write(GenericRowData.of(2L, StringData.fromString("b")), 12, ChangeOp.DELETE);
            writer.finish();
        }

        List<ColdTables.Change> read =
                ColdTables.drain(
                        BatchReader.open(
                                FlinkInputFile.of(fs, path, Files.size(file(path))),
                                table,
                                ScopeId.SHARED,
                                BatchReadSpec.all()),
                        table);
        assertThat(read)
                .containsExactly(
                        change(
                                10,
                                ChangeOp.UPSERT,
                                GenericRowData.of(1L, StringData.fromString("a"))),
                        change(11, ChangeOp.DELETE, GenericRowData.of(1L, null)),
                        change(12, ChangeOp.DELETE, GenericRowData.of(2L, null)));
    }

    @Test
    void finishDescribesTheFileForTheManifest() throws IOException {
        Path path = path("batch-7.parquet");
        BatchFile batch;
        try (BatchWriter writer =
                create(path, BatchWriter.Options.defaults().withStatsColumns("created_at"))) {
            writer.write(message(3, "alice", "x"), 900, ChangeOp.UPSERT);
            writer.write(message(3, "alice", "y"), 901, ChangeOp.DELETE);
            writer.write(message(8, "alice", "z"), 400, ChangeOp.UPSERT);
            writer.write(message(12, "alice", "w"), 650, ChangeOp.UPSERT);
            batch = writer.finish();
        }

        assertThat(batch.fileName()).isEqualTo("batch-7.parquet");
        assertThat(batch.sizeBytes()).isEqualTo(Files.size(file(path)));
        assertThat(batch.rowCount()).isEqualTo(4);
        assertThat(batch.minSeq()).isEqualTo(400);
        assertThat(batch.maxSeq()).isEqualTo(901);
        assertThat(batch.columnStats())
                .containsExactly(
                        new BatchFile.ColumnStats("id", "3", "12", 0),
                        new BatchFile.ColumnStats(
                                "created_at", "2024-05-01T10:00:03", "2024-05-01T10:00:12", 1));
        assertThat(
                        batch.stats("created_at")
                                .orElseThrow()
                                .maxValue(MESSAGES.column("created_at").orElseThrow().type()))
                .isEqualTo(createdAt(12));
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void rowOutOfKeyOrderIsRefusedAndThePartialFileDeleted() throws IOException {
        Path path = path("batch-1.parquet");
        try (BatchWriter writer = create(path, BatchWriter.Options.defaults())) {
            writer.write(message(5, "alice", "a"), 1, ChangeOp.UPSERT);
            assertThatThrownBy(() -> writer.write(message(4, "alice", "b"), 2, ChangeOp.UPSERT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "Cannot write to batch "
                                    + path
                                    + ": row with key 4 and _seq 2 is not after the previous row"
                                    + " (rows must come in key order, then _seq order)");
            assertThatThrownBy(() -> writer.write(message(6, "alice", "c"), 3, ChangeOp.UPSERT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("writer is FAILED");
        }
        assertThat(Files.exists(file(path))).isFalse();
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void versionsOfOneKeyMustComeInSeqOrder() throws IOException {
        Path path = path("batch-1.parquet");
        try (BatchWriter writer = create(path, BatchWriter.Options.defaults())) {
            writer.write(message(5, "alice", "a"), 10, ChangeOp.UPSERT);
            assertThatThrownBy(() -> writer.write(message(5, "alice", "b"), 10, ChangeOp.UPSERT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("row with key 5 and _seq 10 is not after");
        }
    }

    @Test
    void stringKeysAreCheckedInUtf8ByteOrder() throws IOException {
        TableDefinition table = ColdTables.shared("k STRING NOT NULL", "v INT");
        Path path = path("batch-1.parquet");
        try (BatchWriter writer =
                BatchWriter.create(
                        fs, path, table, ScopeId.SHARED, BatchWriter.Options.defaults())) {
            for (String key : List.of("", "A", "a", "ab", "b", "é", "中")) {
                writer.write(GenericRowData.of(StringData.fromString(key), 1), 1, ChangeOp.UPSERT);
            }
            assertThatThrownBy(
                            () ->
                                    writer.write(
                                            GenericRowData.of(StringData.fromString("z"), 1),
                                            2,
                                            ChangeOp.UPSERT))
                    .hasMessageContaining("row with key z and _seq 2 is not after");
        }
    }

    @Test
    void failedWriteClosesTheStreamAndDeletesThePartialFile() throws IOException {
        Path path = path("batch-1.parquet");
        fs.failWritesAfter(4096);
        BatchWriter.Options smallGroups = BatchWriter.Options.defaults().withRowGroupBytes(1024);
        try (BatchWriter writer = create(path, smallGroups)) {
            assertThatThrownBy(
                            () -> {
                                for (long id = 0; id < 100_000; id++) {
                                    writer.write(
                                            message(id, "alice", "x".repeat(100)),
                                            id,
                                            ChangeOp.UPSERT);
                                }
                            })
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Injected write failure");
        }
        assertThat(Files.exists(file(path))).isFalse();
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void closeWithoutFinishDeletesTheFile() throws IOException {
        Path path = path("batch-1.parquet");
        try (BatchWriter writer = create(path, BatchWriter.Options.defaults())) {
            writer.write(message(1, "alice", "a"), 1, ChangeOp.UPSERT);
        }
        assertThat(Files.exists(file(path))).isFalse();
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void existingFileIsNeitherOverwrittenNorDeleted() throws IOException {
        Path path = path("batch-1.parquet");
        Files.writeString(file(path), "someone else's");
        assertThatThrownBy(() -> create(path, BatchWriter.Options.defaults()))
                .isInstanceOf(IOException.class);
        assertThat(Files.readString(file(path))).isEqualTo("someone else's");
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void emptyBatchIsRefused() throws IOException {
        Path path = path("batch-1.parquet");
        try (BatchWriter writer = create(path, BatchWriter.Options.defaults())) {
            assertThatThrownBy(writer::finish)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot finish batch " + path + ": no rows written");
        }
        assertThat(Files.exists(file(path))).isFalse();
    }

    @Test
    void userTableRowsMustBelongToTheBatchUser() throws IOException {
        Path path = path("batch-1.parquet");
        try (BatchWriter writer = create(path, BatchWriter.Options.defaults())) {
            writer.write(message(1, "alice", "a"), 1, ChangeOp.UPSERT);
            writer.write(message(2, null, null), 2, ChangeOp.DELETE); // tombstones hold no owner
            assertThatThrownBy(() -> writer.write(message(3, "bob", "b"), 3, ChangeOp.UPSERT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "Cannot write to batch "
                                    + path
                                    + ": row with key 3 belongs to user bob, not to the batch's"
                                    + " user alice");
        }
        assertThatThrownBy(
                        () ->
                                BatchWriter.create(
                                        fs,
                                        path,
                                        MESSAGES,
                                        ScopeId.SHARED,
                                        BatchWriter.Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scope <shared> does not fit USER table chat.messages");
    }

    @Test
    void stringsViewedInALargerBufferAreWrittenWithoutTheirNeighbours() throws IOException {
        // as the hot store's rows hold them: slices of one row buffer, on the heap or off it
        Path path = path("batch-1.parquet");
        List<GenericRowData> expected = new ArrayList<>();
        try (BatchWriter writer = create(path, BatchWriter.Options.defaults())) {
            for (long id = 0; id < 100; id++) {
                String content = "message " + id % 7;
                GenericRowData row =
                        GenericRowData.of(
                                id,
                                slice("alice", id % 2 == 0),
                                id % 5,
                                slice(content, id % 3 == 0),
                                createdAt(id));
                writer.write(row, 5000 + id, ChangeOp.UPSERT);
                expected.add(message(id, "alice", content));
            }
            writer.finish();
        }

        assertThat(ColdTables.drain(open(path, BatchReadSpec.all()), MESSAGES))
                .extracting(ColdTables.Change::row)
                .containsExactlyElementsOf(expected);
    }

    /** {@code value} at offset 3 of a buffer with other bytes around it. */
    private static BinaryStringData slice(String value, boolean offHeap) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[utf8.length + 6];
        java.util.Arrays.fill(buffer, (byte) 'x');
        System.arraycopy(utf8, 0, buffer, 3, utf8.length);
        MemorySegment segment;
        if (offHeap) {
            ByteBuffer direct = ByteBuffer.allocateDirect(buffer.length);
            direct.put(buffer).flip();
            segment = MemorySegmentFactory.wrapOffHeapMemory(direct);
        } else {
            segment = MemorySegmentFactory.wrap(buffer);
        }
        return BinaryStringData.fromAddress(new MemorySegment[] {segment}, 3, utf8.length);
    }

    @Test
    void rowGroupsCarryKeyStatisticsAndABloomFilter() throws IOException {
        Path path = path("batch-1.parquet");
        BatchWriter.Options options = BatchWriter.Options.defaults().withRowGroupBytes(16 * 1024);
        try (BatchWriter writer = create(path, options)) {
            for (long id = 0; id < 20_000; id++) {
                writer.write(message(id, "alice", "content " + id), id, ChangeOp.UPSERT);
            }
            writer.finish();
        }
        try (ParquetFileReader reader = ParquetFileReader.open(FlinkInputFile.of(path))) {
            List<BlockMetaData> blocks = reader.getRowGroups();
            assertThat(blocks).hasSizeGreaterThan(3);
            long previousMax = -1;
            for (BlockMetaData block : blocks) {
                ColumnChunkMetaData key = block.getColumns().get(0);
                assertThat(key.getPath().toDotString()).isEqualTo("id");
                assertThat((Long) key.getStatistics().genericGetMin()).isGreaterThan(previousMax);
                previousMax = (Long) key.getStatistics().genericGetMax();
                assertThat(reader.readBloomFilter(key)).isNotNull();
                assertThat(reader.readBloomFilter(block.getColumns().get(2))).isNull();
            }
        }
    }

    @Test
    void aColumnWhoseDictionaryDoesNotPayIsReportedAndThenWrittenPlainlyAlike() throws IOException {
        DictionaryHints hints = new DictionaryHints();
        List<Set<String>> plainPerBatch = new ArrayList<>();
        for (int batch = 1; batch <= 2; batch++) {
            Path path = path("batch-" + batch + ".parquet");
            plainPerBatch.add(hints.plainColumns());
            try (BatchWriter writer = create(path, hints.apply(BatchWriter.Options.defaults()))) {
                for (long id = 0; id < 2000; id++) {
                    // distinct text: its dictionary would hold every value; one user throughout
                    writer.write(
                            message(id, "alice", "text " + id * 7919 + " of batch " + batch),
                            100 + id,
                            ChangeOp.UPSERT);
                }
                writer.finish();
                hints.learn(writer);
                if (batch == 1) { // the fixture's created_at is distinct per row too
                    assertThat(writer.dictionaryFallbacks())
                            .containsExactlyInAnyOrder("content", "created_at");
                } else {
                    assertThat(writer.dictionaryFallbacks()).isEmpty();
                }
            }
            ColumnChunkMetaData content = column(footer(path), "content");
            assertThat(content.hasDictionaryPage()).isFalse();
            assertThat(column(footer(path), "user_id").hasDictionaryPage()).isTrue();
            assertThat(ColdTables.drain(open(path, BatchReadSpec.all()), MESSAGES)).hasSize(2000);
        }
        assertThat(plainPerBatch).containsExactly(Set.of(), Set.of("content", "created_at"));
    }

    @Test
    void dictionaryHintsTryTheDictionaryAgainAfterAWhile() throws IOException {
        DictionaryHints hints = new DictionaryHints();
        Path first = path("batch-0.parquet");
        try (BatchWriter writer = create(first, hints.apply(BatchWriter.Options.defaults()))) {
            for (long id = 0; id < 2000; id++) {
                writer.write(message(id, "alice", "text " + id * 7919), 100 + id, ChangeOp.UPSERT);
            }
            writer.finish();
            hints.learn(writer);
        }
        for (int batch = 1; batch <= DictionaryHints.RETRY_AFTER; batch++) {
            assertThat(hints.plainColumns())
                    .as("batch %d", batch)
                    .containsExactlyInAnyOrder("content", "created_at");
            Path path = path("batch-" + batch + ".parquet");
            try (BatchWriter writer = create(path, hints.apply(BatchWriter.Options.defaults()))) {
                // repetitive text now: a dictionary would pay, but the column is plain for a while
                writer.write(message(batch, "alice", "same"), 100, ChangeOp.UPSERT);
                writer.finish();
                hints.learn(writer);
            }
        }
        assertThat(hints.plainColumns()).isEmpty();
    }

    private static ColumnChunkMetaData column(ParquetMetadata footer, String name) {
        return footer.getBlocks().get(0).getColumns().stream()
                .filter(c -> c.getPath().toDotString().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void backgroundSyncsMakeEveryBatchDurableByAwaitAll() throws IOException {
        List<String> names = new ArrayList<>();
        try (FileSyncs syncs = new FileSyncs(3)) {
            // more files than may be in flight at once, so handing over also waits
            for (int file = 0; file < FileSyncs.MAX_IN_FLIGHT + 10; file++) {
                Path path = path("batch-" + file + ".parquet");
                try (BatchWriter writer =
                        BatchWriter.create(
                                fs, path, MESSAGES, ALICE, BatchWriter.Options.defaults(), syncs)) {
                    writer.write(message(file, "alice", "m"), 100 + file, ChangeOp.UPSERT);
                    BatchFile batch = writer.finish();
                    assertThat(batch.sizeBytes()).isPositive();
                }
                names.add(path.getName());
            }
            syncs.awaitAll();
            assertThat(fs.syncedAndClosed()).containsExactlyInAnyOrderElementsOf(names);
            assertThat(fs.openStreams()).isZero();
        }
        for (String name : names) {
            assertThat(ColdTables.drain(open(path(name), BatchReadSpec.all()), MESSAGES))
                    .hasSize(1);
        }
    }

    @Test
    void aFailedBackgroundSyncFailsAwaitAllAndClosesTheFile() throws IOException {
        fs.failSyncs(true);
        try (FileSyncs syncs = new FileSyncs(2)) {
            try (BatchWriter writer =
                    BatchWriter.create(
                            fs,
                            path("batch-1.parquet"),
                            MESSAGES,
                            ALICE,
                            BatchWriter.Options.defaults(),
                            syncs)) {
                writer.write(message(1, "alice", "m"), 100, ChangeOp.UPSERT);
                writer.finish();
            }
            assertThatThrownBy(syncs::awaitAll)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Cannot sync")
                    .hasRootCauseMessage("Injected sync failure of " + path("batch-1.parquet"));
            syncs.awaitAll(); // reported once
        }
        assertThat(fs.openStreams()).isZero();
        assertThat(fs.syncedAndClosed()).isEmpty();
    }

    private BatchWriter create(Path path, BatchWriter.Options options) throws IOException {
        return BatchWriter.create(fs, path, MESSAGES, ALICE, options);
    }

    private BatchReader open(Path path, BatchReadSpec spec) throws IOException {
        return BatchReader.open(
                FlinkInputFile.of(fs, path, Files.size(file(path))), MESSAGES, ALICE, spec);
    }

    private Path path(String name) {
        return new Path(dir.toUri().toString(), name);
    }

    private static java.nio.file.Path file(Path path) {
        return java.nio.file.Path.of(path.toUri());
    }

    private static ParquetMetadata footer(Path path) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(FlinkInputFile.of(path))) {
            return reader.getFooter();
        }
    }

    static GenericRowData message(long id, String user, String content) {
        return GenericRowData.of(
                id,
                user == null ? null : StringData.fromString(user),
                id % 5,
                content == null ? null : StringData.fromString(content),
                createdAt(id));
    }

    static TimestampData createdAt(long id) {
        return TimestampData.fromEpochMillis(1_714_557_600_000L + id * 1000);
    }

    private static ColdTables.Change change(long seq, ChangeOp op, GenericRowData row) {
        return new ColdTables.Change(ScopeId.SHARED, seq, op, row);
    }
}
