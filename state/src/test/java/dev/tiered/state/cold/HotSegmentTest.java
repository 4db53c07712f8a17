package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hot segments: arrival order, scopes, every type, the file description, failure cleanup. */
class HotSegmentTest {
    private static final TableDefinition MESSAGES = ColdTables.messages();
    private static final List<ScopeId> USERS =
            List.of(ScopeId.user("alice"), ScopeId.user("bob"), ScopeId.user("zoë smith"));

    @TempDir java.nio.file.Path dir;
    private final TrackingFileSystem fs = new TrackingFileSystem();

    @ParameterizedTest
    @EnumSource(HotSegmentCompression.class)
    void changesReadBackInArrivalOrderWithTheirScopes(HotSegmentCompression compression)
            throws IOException {
        long seed = System.nanoTime();
        System.out.println("HotSegmentTest seed: " + seed);
        List<ColdTables.Change> written = randomChanges(new Random(seed), 5000);
        Path path = path("seg-1.avro");
        HotSegmentFile segment = write(path, written, compression);

        assertThat(ColdTables.drain(open(path, scope -> true), MESSAGES))
                .as("seed %d", seed)
                .isEqualTo(written);
        assertThat(segment.fileName()).isEqualTo("seg-1.avro");
        assertThat(segment.sizeBytes()).isEqualTo(Files.size(file(path)));
        assertThat(segment.rowCount()).isEqualTo(5000);
        assertThat(segment.minSeq())
                .isEqualTo(written.stream().mapToLong(ColdTables.Change::seq).min().orElseThrow());
        assertThat(segment.maxSeq())
                .isEqualTo(written.stream().mapToLong(ColdTables.Change::seq).max().orElseThrow());
        assertThat(segment.scopes()).containsExactlyInAnyOrderElementsOf(USERS);
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void scopeFilterReturnsOnlyTheOwnedScopes() throws IOException {
        List<ColdTables.Change> written = randomChanges(new Random(42), 2000);
        Path path = path("seg-1.avro");
        write(path, written, HotSegmentCompression.NONE);

        Set<ScopeId> owned = Set.of(USERS.get(0), USERS.get(2));
        assertThat(ColdTables.drain(open(path, owned::contains), MESSAGES))
                .isEqualTo(written.stream().filter(c -> owned.contains(c.scope())).toList());
    }

    static Stream<Arguments> types() {
        return ParquetTypeMappingTest.types();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void everyTypeReadsBackEqual(
            String type, String physical, String annotation, List<Object> values)
            throws IOException {
        TableDefinition table = ColdTables.shared("id BIGINT NOT NULL", "v " + type);
        Path path = path("seg-1.avro");
        List<ColdTables.Change> written = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            written.add(
                    new ColdTables.Change(
                            ScopeId.SHARED,
                            7 - i,
                            ChangeOp.UPSERT,
                            GenericRowData.of((long) i, values.get(i))));
        }
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(fs, path, table, HotSegmentCompression.SNAPPY)) {
            for (ColdTables.Change change : written) {
                writer.write(change.scope(), change.seq(), change.op(), change.row());
            }
            writer.finish();
        }
        assertThat(ColdTables.drain(HotSegmentReader.open(fs, path, table, s -> true), table))
                .isEqualTo(written);
    }

    @Test
    void sharedScopeAndOpAreStoredAsDocumented() throws IOException {
        TableDefinition table = ColdTables.shared("id BIGINT NOT NULL", "v STRING");
        Path path = path("seg-1.avro");
        try (HotSegmentWriter writer = HotSegmentWriter.create(path, table)) {
            writer.write(
                    ScopeId.SHARED,
                    5,
                    ChangeOp.UPSERT,
                    GenericRowData.of(1L, StringData.fromString("a")));
            writer.write(ScopeId.SHARED, 6, ChangeOp.DELETE, GenericRowData.of(1L, null));
            writer.finish();
        }
        try (DataFileReader<GenericRecord> reader =
                new DataFileReader<>(file(path).toFile(), new GenericDatumReader<>())) {
            GenericRecord first = reader.next();
            assertThat(first.get("_scope")).isNull();
            assertThat(first.get("_seq")).isEqualTo(5L);
            assertThat(first.get("_op")).isEqualTo(0);
            assertThat(first.get("v").toString()).isEqualTo("a");
            assertThat(reader.next().get("_op")).isEqualTo(1);
            assertThat(reader.getMetaString("tiered.table_id")).isEqualTo("t.t");
            assertThat(reader.getMetaString("avro.codec")).isEqualTo("snappy");
        }
    }

    @Test
    void valueOutOfRangeIsRefusedAndTheSegmentStaysIntact() throws IOException {
        TableDefinition table = ColdTables.shared("id BIGINT NOT NULL", "v TIMESTAMP(9)");
        Path path = path("seg-1.avro");
        TimestampData ok = TimestampData.fromEpochMillis(1000, 5);
        TimestampData tooLate = TimestampData.fromEpochMillis(9_300_000_000_000L);
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(fs, path, table, HotSegmentCompression.SNAPPY)) {
            writer.write(ScopeId.SHARED, 1, ChangeOp.UPSERT, GenericRowData.of(1L, ok));
            assertThatThrownBy(
                            () ->
                                    writer.write(
                                            ScopeId.SHARED,
                                            2,
                                            ChangeOp.UPSERT,
                                            GenericRowData.of(2L, tooLate)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "Cannot write column v: value out of range (TIMESTAMP(7..9) values"
                                    + " must lie within 1677-09-21..2262-04-11)");
            writer.write(ScopeId.SHARED, 3, ChangeOp.UPSERT, GenericRowData.of(3L, ok));
            assertThat(writer.finish().rowCount()).isEqualTo(2);
        }
        assertThat(ColdTables.drain(HotSegmentReader.open(fs, path, table, s -> true), table))
                .extracting(ColdTables.Change::row)
                .containsExactly(GenericRowData.of(1L, ok), GenericRowData.of(3L, ok));
    }

    @Test
    void failedWriteClosesTheStreamAndDeletesThePartialFile() throws IOException {
        Path path = path("seg-1.avro");
        fs.failWritesAfter(100_000);
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(fs, path, MESSAGES, HotSegmentCompression.NONE)) {
            assertThatThrownBy(
                            () -> {
                                for (ColdTables.Change c : randomChanges(new Random(1), 10_000)) {
                                    writer.write(c.scope(), c.seq(), c.op(), c.row());
                                }
                            })
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Files.exists(file(path))).isFalse();
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void closeWithoutFinishDeletesTheFileAndExistingFilesAreKept() throws IOException {
        Path path = path("seg-1.avro");
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(fs, path, MESSAGES, HotSegmentCompression.NONE)) {
            writer.write(
                    USERS.get(0), 1, ChangeOp.UPSERT, BatchWriterTest.message(1, "alice", "a"));
        }
        assertThat(Files.exists(file(path))).isFalse();

        Files.writeString(file(path), "taken");
        assertThatThrownBy(
                        () ->
                                HotSegmentWriter.create(
                                        fs, path, MESSAGES, HotSegmentCompression.NONE))
                .isInstanceOf(IOException.class);
        assertThat(Files.readString(file(path))).isEqualTo("taken");
        assertThat(fs.openStreams()).isZero();
    }

    @Test
    void olderSegmentsReadUnderANewerSchemaAndTypeChangesAreRefused() throws IOException {
        TableDefinition v1 = ColdTables.shared("id BIGINT NOT NULL", "a STRING");
        TableDefinition v2 = ColdTables.shared("id BIGINT NOT NULL", "a STRING", "b INT");
        TableDefinition changed = ColdTables.shared("id BIGINT NOT NULL", "a INT");
        Path path = path("seg-1.avro");
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(fs, path, v1, HotSegmentCompression.NONE)) {
            writer.write(
                    ScopeId.SHARED,
                    1,
                    ChangeOp.UPSERT,
                    GenericRowData.of(1L, StringData.fromString("x")));
            writer.finish();
        }
        assertThat(ColdTables.drain(HotSegmentReader.open(fs, path, v2, s -> true), v2))
                .extracting(ColdTables.Change::row)
                .containsExactly(GenericRowData.of(1L, StringData.fromString("x"), null));
        assertThatThrownBy(() -> HotSegmentReader.open(fs, path, changed, s -> true))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot open hot segment "
                                + path
                                + ": column a is stored as VARCHAR(2147483647), but the table says INT");
        assertThat(fs.openStreams()).isZero();
    }

    /** Changes of three users in random interleaving, random seqs, some deletes. */
    static List<ColdTables.Change> randomChanges(Random random, int count) {
        List<ColdTables.Change> changes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ScopeId scope = USERS.get(random.nextInt(USERS.size()));
            long id = random.nextInt(1000);
            ChangeOp op = random.nextInt(8) == 0 ? ChangeOp.DELETE : ChangeOp.UPSERT;
            GenericRowData row =
                    op == ChangeOp.DELETE
                            ? GenericRowData.of(id, null, null, null, null)
                            : BatchWriterTest.message(
                                    id,
                                    scope.userId(),
                                    random.nextBoolean() ? null : "text " + random.nextInt());
            changes.add(
                    new ColdTables.Change(scope, 1_000_000L + random.nextInt(1_000_000), op, row));
        }
        return changes;
    }

    private HotSegmentFile write(
            Path path, List<ColdTables.Change> changes, HotSegmentCompression compression)
            throws IOException {
        try (HotSegmentWriter writer = HotSegmentWriter.create(fs, path, MESSAGES, compression)) {
            for (ColdTables.Change change : changes) {
                writer.write(change.scope(), change.seq(), change.op(), change.row());
            }
            return writer.finish();
        }
    }

    private HotSegmentReader open(Path path, java.util.function.Predicate<ScopeId> scopes)
            throws IOException {
        return HotSegmentReader.open(fs, path, MESSAGES, scopes);
    }

    private Path path(String name) {
        return new Path(dir.toUri().toString(), name);
    }

    private static java.nio.file.Path file(Path path) {
        return java.nio.file.Path.of(path.toUri());
    }
}
