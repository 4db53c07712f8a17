package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batch reader: projection, row-group skipping, point lookups, row reuse, schema checks. */
class BatchReaderTest {
    private static final TableDefinition MESSAGES = ColdTables.messages();
    private static final ScopeId ALICE = ScopeId.user("alice");
    private static final BatchWriter.Options SMALL_GROUPS =
            BatchWriter.Options.defaults().withRowGroupBytes(16 * 1024);

    @TempDir java.nio.file.Path dir;
    private final TrackingFileSystem fs = new TrackingFileSystem();

    @Test
    void projectionReadsOnlyTheRequestedColumns() throws IOException {
        Path path = writeMessages("batch-1.parquet", 5000, BatchWriter.Options.defaults());
        long fullBytes = bytesReadFor(path, BatchReadSpec.all());
        List<ColdTables.Change> projected =
                ColdTables.drain(
                        open(path, BatchReadSpec.all().withColumns("conversation_id")), MESSAGES);
        long projectedBytes = fs.bytesRead() - fullBytes;

        assertThat(projected).hasSize(5000);
        ColdTables.Change first = projected.get(0);
        assertThat(first.row()).isEqualTo(GenericRowData.of(0L, null, 0L, null, null));
        assertThat(first.seq()).isEqualTo(10_000L);
        assertThat(projectedBytes)
                .as("bytes read with projection vs. all columns (%d)", fullBytes)
                .isLessThan(fullBytes / 4);
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void keyRangeSkipsRowGroupsByStatistics() throws IOException {
        Path path = writeMessages("batch-1.parquet", 20_000, SMALL_GROUPS);
        BatchReader reader =
                open(path, BatchReadSpec.all().withKeyRange(KeyRange.between(10_000L, 10_099L)));
        List<ColdTables.Change> changes = ColdTables.drain(reader, MESSAGES);

        assertThat(changes)
                .extracting(c -> c.row().getLong(0))
                .containsExactlyElementsOf(range(10_000, 10_100));
        assertThat(reader.rowGroupsRead()).isBetween(1, 2);
        assertThat(reader.rowGroupsSkippedByStats()).isGreaterThan(5);
        assertThat(reader.rowGroupsSkippedByBloomFilter()).isZero();
    }

    @Test
    void pointLookupSkipsRowGroupsByBloomFilter() throws IOException {
        Path path = path("batch-1.parquet");
        try (BatchWriter writer = BatchWriter.create(fs, path, MESSAGES, ALICE, SMALL_GROUPS)) {
            for (long id = 0; id < 20_000; id += 2) { // even keys only
                writer.write(BatchWriterTest.message(id, "alice", "c" + id), id, ChangeOp.UPSERT);
            }
            writer.finish();
        }

        int skippedByBloom = 0;
        for (long odd = 1; odd < 2000; odd += 20) {
            BatchReader reader = open(path, BatchReadSpec.all().withKey(odd));
            assertThat(ColdTables.drain(reader, MESSAGES)).isEmpty();
            assertThat(reader.rowGroupsSkippedByBloomFilter() + reader.rowGroupsRead())
                    .isEqualTo(1);
            skippedByBloom += reader.rowGroupsSkippedByBloomFilter();
        }
        assertThat(skippedByBloom)
                .as("of 100 absent keys inside a row group's min/max")
                .isGreaterThan(90);

        BatchReader hit = open(path, BatchReadSpec.all().withKey(1234L));
        assertThat(ColdTables.drain(hit, MESSAGES))
                .extracting(ColdTables.Change::row)
                .containsExactly(BatchWriterTest.message(1234, "alice", "c1234"));
        assertThat(hit.rowGroupsRead()).isEqualTo(1);
    }

    @Test
    void pointLookupReadsOnlyThePagesThatMayHoldTheKey() throws IOException {
        BatchWriter.Options smallPages =
                BatchWriter.Options.defaults().withPageBytes(1024).withExpectedRows(20_000);
        Path path = writeMessages("batch-1.parquet", 20_000, smallPages);
        long fullBytes = bytesReadFor(path, BatchReadSpec.all());
        long before = fs.bytesRead();
        BatchReader reader = open(path, BatchReadSpec.all().withKey(12_345L));

        assertThat(ColdTables.drain(reader, MESSAGES))
                .extracting(c -> c.row().getLong(0), ColdTables.Change::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(12_345L, 22_345L));
        assertThat(reader.rowGroupsRead()).isEqualTo(1);
        assertThat(reader.rowsSkippedByPageIndex()).isGreaterThan(19_000);
        assertThat(fs.bytesRead() - before)
                .as("bytes read by the lookup vs. a full scan (%d)", fullBytes)
                .isLessThan(fullBytes / 10);
    }

    @Test
    void aPointLookupReadsTheFileInAFewCalls() throws IOException {
        BatchWriter.Options smallPages =
                BatchWriter.Options.defaults().withPageBytes(1024).withExpectedRows(20_000);
        Path path = writeMessages("batch-1.parquet", 20_000, smallPages);
        long before = fs.readCalls();
        BatchReader reader = open(path, BatchReadSpec.all().withKey(12_345L));
        assertThat(ColdTables.drain(reader, MESSAGES)).hasSize(1);
        // Footer, bloom filter, column and offset index, pages: Parquet reads the indexes and the
        // bloom filter header as Thrift, a byte at a time, which the stream's buffer serves.
        assertThat(fs.readCalls() - before).isLessThan(40);
    }

    @ParameterizedTest(name = "{0} key, row groups of {1} bytes, pages of {2} bytes")
    @CsvSource({
        "BIGINT, 4096, 1048576",
        "STRING, 4096, 1048576",
        "BIGINT, 67108864, 512",
        "STRING, 67108864, 512"
    })
    void randomKeyRangesReturnExactlyTheModelsRows(
            String keyType, long rowGroupBytes, int pageBytes) throws IOException {
        long seed = System.nanoTime();
        System.out.println("BatchReaderTest seed: " + seed);
        Random random = new Random(seed);
        TableDefinition table = ColdTables.shared("k " + keyType + " NOT NULL", "v INT");
        Function<Long, Object> key =
                keyType.equals("BIGINT")
                        ? n -> n
                        : n -> StringData.fromString(String.format("key-%06d", n));
        List<ColdTables.Change> model = randomModel(random, key);
        Path path = path("batch-1.parquet");
        try (BatchWriter writer =
                BatchWriter.create(
                        fs,
                        path,
                        table,
                        ScopeId.SHARED,
                        BatchWriter.Options.defaults()
                                .withRowGroupBytes(rowGroupBytes)
                                .withPageBytes(pageBytes))) {
            for (ColdTables.Change change : model) {
                writer.write(change.row(), change.seq(), change.op());
            }
            writer.finish();
        }

        RowData.FieldGetter keyOf = RowData.createFieldGetter(table.columns().get(0).type(), 0);
        for (int i = 0; i < 70; i++) {
            KeyRange range;
            if (i < 30) {
                // Negative numbers do not format into order-preserving strings ("key--00050" >
                // "key--00048"), so string keys stay non-negative.
                long a = random.nextInt(6200) - (keyType.equals("BIGINT") ? 100 : 0);
                long b = a + random.nextInt(i % 3 == 0 ? 3 : 800);
                Object lower = random.nextInt(10) == 0 ? null : key.apply(a);
                Object upper = random.nextInt(10) == 0 ? null : key.apply(b);
                range = new KeyRange(lower, upper);
            } else {
                // Point lookups read through a record filter on the key: every version of the
                // key (tombstones too), in order, and nothing for a key the batch lacks.
                range = KeyRange.point(key.apply((long) random.nextInt(6300)));
            }
            KeyRange keys = range;
            List<ColdTables.Change> expected =
                    model.stream()
                            .filter(c -> keys.contains(keyOf.getFieldOrNull(c.row())))
                            .toList();
            List<ColdTables.Change> actual =
                    ColdTables.drain(
                            BatchReader.open(
                                    FlinkInputFile.of(fs, path, Files.size(file(path))),
                                    table,
                                    ScopeId.SHARED,
                                    BatchReadSpec.all().withKeyRange(range)),
                            table);
            assertThat(actual).as("range %s, seed %d", range, seed).isEqualTo(expected);
        }
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void rowIsOneInstanceRefilledByNext() throws IOException {
        Path path = writeMessages("batch-1.parquet", 3, BatchWriter.Options.defaults());
        try (BatchReader reader = open(path, BatchReadSpec.all())) {
            assertThat(reader.next()).isTrue();
            RowData first = reader.row();
            assertThat(first.getLong(0)).isEqualTo(0L);
            assertThat(reader.next()).isTrue();
            assertThat(reader.row()).isSameAs(first);
            assertThat(first.getLong(0)).isEqualTo(1L);
            assertThat(reader.scope()).isEqualTo(ALICE);
        }
    }

    @Test
    void newerSchemaReadsMissingColumnsAsNull() throws IOException {
        TableDefinition v1 = ColdTables.shared("id BIGINT NOT NULL", "a STRING");
        TableDefinition v2 = ColdTables.shared("id BIGINT NOT NULL", "a STRING", "b INT");
        Path path = path("batch-1.parquet");
        try (BatchWriter writer =
                BatchWriter.create(fs, path, v1, ScopeId.SHARED, BatchWriter.Options.defaults())) {
            writer.write(GenericRowData.of(1L, StringData.fromString("x")), 1, ChangeOp.UPSERT);
            writer.finish();
        }
        assertThat(
                        ColdTables.drain(
                                BatchReader.open(path, v2, ScopeId.SHARED, BatchReadSpec.all()),
                                v2))
                .extracting(ColdTables.Change::row)
                .containsExactly(GenericRowData.of(1L, StringData.fromString("x"), null));
    }

    @Test
    void changedColumnTypeIsReportedAndTheStreamClosed() throws IOException {
        TableDefinition written = ColdTables.shared("id BIGINT NOT NULL", "a STRING");
        TableDefinition changed = ColdTables.shared("id BIGINT NOT NULL", "a INT");
        Path path = path("batch-1.parquet");
        try (BatchWriter writer =
                BatchWriter.create(
                        fs, path, written, ScopeId.SHARED, BatchWriter.Options.defaults())) {
            writer.write(GenericRowData.of(1L, StringData.fromString("x")), 1, ChangeOp.UPSERT);
            writer.finish();
        }
        assertThatThrownBy(
                        () ->
                                BatchReader.open(
                                        FlinkInputFile.of(fs, path, Files.size(file(path))),
                                        changed,
                                        ScopeId.SHARED,
                                        BatchReadSpec.all()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "Cannot open batch "
                                + path
                                + ": column a is stored as optional binary a (STRING) = 2");
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void unknownColumnOrWronglyTypedKeyBoundIsRefused() throws IOException {
        Path path = writeMessages("batch-1.parquet", 3, BatchWriter.Options.defaults());
        assertThatThrownBy(() -> open(path, BatchReadSpec.all().withColumns("nope")))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot open batch " + path + ": no column 'nope' in table chat.messages");
        assertThatThrownBy(() -> open(path, BatchReadSpec.all().withKey(5)))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot open batch "
                                + path
                                + ": key bound 5 is a Integer, but key column id holds Long");
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void unreadableFileFailsAndLeavesNoStreamOpen() throws IOException {
        Path path = path("batch-1.parquet");
        Files.writeString(file(path), "not parquet at all");
        assertThatThrownBy(() -> open(path, BatchReadSpec.all())).isInstanceOf(IOException.class);
        assertThat(fs.openStreams()).isZero();
    }

    private Path writeMessages(String name, int rows, BatchWriter.Options options)
            throws IOException {
        Path path = path(name);
        try (BatchWriter writer = BatchWriter.create(fs, path, MESSAGES, ALICE, options)) {
            for (long id = 0; id < rows; id++) {
                writer.write(
                        BatchWriterTest.message(id, "alice", randomText(id)),
                        10_000 + id,
                        ChangeOp.UPSERT);
            }
            writer.finish();
        }
        return path;
    }

    /** Keys in order with gaps, up to three versions each (a fifth of them deletes). */
    private static List<ColdTables.Change> randomModel(Random random, Function<Long, Object> key) {
        List<ColdTables.Change> model = new ArrayList<>();
        long seq = 0;
        for (long n = 0; n < 6000; n += 1 + random.nextInt(3)) {
            for (int version = random.nextInt(3); version >= 0; version--) {
                ChangeOp op = random.nextInt(5) == 0 ? ChangeOp.DELETE : ChangeOp.UPSERT;
                Integer value = op == ChangeOp.DELETE ? null : random.nextInt();
                model.add(
                        new ColdTables.Change(
                                ScopeId.SHARED,
                                seq += 1 + random.nextInt(5),
                                op,
                                GenericRowData.of(key.apply(n), value)));
            }
        }
        return model;
    }

    /** 100 incompressible characters, the same for the same id. */
    private static String randomText(long id) {
        Random random = new Random(id);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private long bytesReadFor(Path path, BatchReadSpec spec) throws IOException {
        long before = fs.bytesRead();
        ColdTables.drain(open(path, spec), MESSAGES);
        return fs.bytesRead() - before;
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

    private static List<Long> range(long from, long to) {
        List<Long> values = new ArrayList<>();
        for (long i = from; i < to; i++) {
            values.add(i);
        }
        values.sort(Comparator.naturalOrder());
        return values;
    }
}
