package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one hot segment ({@code _hot/...}): the changes of one checkpoint of one writer, in
 * arrival order, as an Avro container file (see {@link HotSegmentSchema}; docs/storage-format.md
 * "Hot segments"). Every ingested row goes through {@link #write}, so it encodes the row straight
 * from its {@code RowData} into Avro's block buffer: no per-row record, no per-row allocation
 * beyond what the row's own accessors make.
 *
 * <p>Life cycle and ownership as {@link BatchWriter}: {@link #create} creates the file (never
 * overwriting one), {@link #finish()} closes it and describes it, {@link #close()} without {@code
 * finish()} closes the stream and deletes the partial file. A row with a value the format cannot
 * hold is refused with an {@link IllegalArgumentException} and leaves the segment as it was (the
 * writer stays usable); an I/O failure leaves the writer failed. Not thread-safe.
 */
public final class HotSegmentWriter implements AutoCloseable {
    private enum State {
        OPEN,
        FAILED,
        FINISHED,
        CLOSED
    }

    private final FlinkOutputFile file;
    private final DataFileWriter<ChangeRecord> writer;
    private final ChangeRecord record = new ChangeRecord();
    private final Map<ScopeId, byte[]> scopes = new HashMap<>();
    private ScopeId lastScope;
    private byte[] lastScopeBytes;
    private State state = State.OPEN;
    private long rowCount;
    private long minSeq = Long.MAX_VALUE;
    private long maxSeq = Long.MIN_VALUE;

    private HotSegmentWriter(FlinkOutputFile file, DataFileWriter<ChangeRecord> writer) {
        this.file = file;
        this.writer = writer;
    }

    /**
     * Creates the segment on the file system of the path's URI, compressed with {@link
     * HotSegmentCompression#DEFAULT}.
     */
    public static HotSegmentWriter create(Path path, TableDefinition table) throws IOException {
        return create(path.getFileSystem(), path, table, HotSegmentCompression.DEFAULT);
    }

    /** Creates the segment on the file system of the path's URI. */
    public static HotSegmentWriter create(
            Path path, TableDefinition table, HotSegmentCompression compression)
            throws IOException {
        return create(path.getFileSystem(), path, table, compression);
    }

    /** Creates the segment; fails if the file exists. */
    public static HotSegmentWriter create(
            FileSystem fileSystem,
            Path path,
            TableDefinition table,
            HotSegmentCompression compression)
            throws IOException {
        Schema schema = HotSegmentSchema.schema(table);
        FlinkOutputFile file = new FlinkOutputFile(fileSystem, path);
        DataFileWriter<ChangeRecord> writer =
                new DataFileWriter<>(new RowDatumWriter(table))
                        .setCodec(compression.codec())
                        .setMeta(ParquetSchemas.META_FORMAT_VERSION, ParquetSchemas.FORMAT_VERSION)
                        .setMeta(ParquetSchemas.META_KIND, "hot_segment")
                        .setMeta(ParquetSchemas.META_TABLE, table.tableId())
                        .setMeta(ParquetSchemas.META_SCHEMA_VERSION, table.schemaVersion());
        writer.setFlushOnEveryBlock(false);
        // Avro's default block encoder writes each varint byte through the block's synchronized
        // ByteArrayOutputStream; a buffered one fills its own array and hands it over in chunks
        writer.setEncoder(out -> EncoderFactory.get().binaryEncoder(out, null));
        try {
            writer.create(schema, file.open(FileSystem.WriteMode.NO_OVERWRITE));
        } catch (IOException | RuntimeException e) {
            if (file.isOpened()) { // else the file is not ours: it may be one that existed
                file.abort();
                file.deleteQuietly(e);
            }
            throw e;
        }
        return new HotSegmentWriter(file, writer);
    }

    /**
     * Appends a change.
     *
     * @param row the row in the table's physical row type, written as it is (for a delete, at least
     *     its key); not referenced after the call returns
     * @throws IllegalArgumentException for a value the format cannot hold (TIMESTAMP(7..9) outside
     *     1677..2262); nothing of the row is written and the writer stays usable
     */
    public void write(ScopeId scope, long seq, ChangeOp op, RowData row) throws IOException {
        if (state != State.OPEN) {
            throw new IllegalStateException(
                    "Cannot write to hot segment " + file.getPath() + ": writer is " + state);
        }
        record.set(row, seq, op);
        record.scope = scopeBytes(scope);
        try {
            writer.append(record);
        } catch (DataFileWriter.AppendWriteException e) {
            if (e.getCause() instanceof IllegalArgumentException refused) {
                throw refused; // Avro dropped the partial row: the segment is intact
            }
            state = State.FAILED;
            throw new IOException("Cannot write to hot segment " + file.getPath(), e);
        } catch (IOException | RuntimeException e) {
            state = State.FAILED;
            throw e;
        } finally {
            record.row = null;
        }
        rowCount++;
        minSeq = Math.min(minSeq, seq);
        maxSeq = Math.max(maxSeq, seq);
    }

    /** The changes written so far. */
    public long rowCount() {
        return rowCount;
    }

    /**
     * Closes the file and describes it. Afterwards {@link #close()} does nothing.
     *
     * @throws IllegalStateException if no change was written (write no empty segments)
     */
    public HotSegmentFile finish() throws IOException {
        if (state != State.OPEN) {
            throw new IllegalStateException(
                    "Cannot finish hot segment " + file.getPath() + ": writer is " + state);
        }
        if (rowCount == 0) {
            throw new IllegalStateException(
                    "Cannot finish hot segment " + file.getPath() + ": no rows written");
        }
        state = State.FAILED;
        writer.close();
        state = State.FINISHED;
        return new HotSegmentFile(
                file.path().getName(),
                file.bytesWritten(),
                rowCount,
                minSeq,
                maxSeq,
                scopes.keySet());
    }

    /**
     * Releases the writer. After {@link #finish()}: nothing. Otherwise: closes the stream and
     * deletes the partial file (best effort). Idempotent.
     */
    @Override
    public void close() {
        if (state == State.FINISHED || state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        IOException streamError = file.abort();
        try {
            writer.close(); // its final flush fails on the closed stream
        } catch (IOException | RuntimeException expected) {
            // the stream is closed on purpose: nothing of this file is kept
        }
        file.deleteQuietly(streamError);
    }

    /** The scope's user id in UTF-8, encoded once per scope (rows of one scope come in runs). */
    private byte[] scopeBytes(ScopeId scope) {
        if (scope != lastScope) {
            lastScopeBytes =
                    scopes.computeIfAbsent(
                            scope,
                            s ->
                                    s.isShared()
                                            ? SHARED
                                            : s.userId().getBytes(StandardCharsets.UTF_8));
            lastScope = scope;
        }
        return lastScopeBytes == SHARED ? null : lastScopeBytes;
    }

    private static final byte[] SHARED = new byte[0];

    /** Encodes a change as one Avro record of {@link HotSegmentSchema#schema}. */
    private static final class RowDatumWriter implements DatumWriter<ChangeRecord> {
        private final String[] names;
        private final HotSegmentSchema.ValueCodec[] codecs;

        RowDatumWriter(TableDefinition table) {
            List<dev.tiered.state.Column> columns = table.columns();
            this.names = new String[columns.size()];
            this.codecs = new HotSegmentSchema.ValueCodec[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                names[i] = columns.get(i).name();
                codecs[i] = HotSegmentSchema.codec(columns.get(i).type());
            }
        }

        @Override
        public void setSchema(Schema schema) {}

        @Override
        public void write(ChangeRecord change, Encoder out) throws IOException {
            if (change.scope == null) {
                out.writeIndex(0);
            } else {
                out.writeIndex(1);
                out.writeBytes(change.scope, 0, change.scope.length);
            }
            out.writeLong(change.seq);
            out.writeInt(change.op.code());
            RowData row = change.row;
            for (int pos = 0; pos < codecs.length; pos++) {
                if (row.isNullAt(pos)) {
                    out.writeIndex(0);
                    continue;
                }
                out.writeIndex(1);
                try {
                    codecs[pos].write(out, row, pos);
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException(ParquetValues.outOfRange(names[pos]), e);
                }
            }
        }
    }
}
