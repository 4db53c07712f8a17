package dev.tiered.state.cold;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.Column;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a hot segment as a {@link ChangeCursor}, in arrival order, optionally only the changes of
 * some scopes (a restoring writer reads only the scopes it owns; the others are skipped without
 * being decoded).
 *
 * <p>Columns are matched to the table by column id, so a segment written before a column was added
 * reads that column as null; a column whose stored type differs from the table's is an error.
 * {@link #row()} returns the same {@link RowData} instance on every call, refilled by {@link
 * #next()}: copy what you keep. The reader owns the file's stream: close it on every path. Not
 * thread-safe.
 */
public final class HotSegmentReader implements ChangeCursor {
    private final DataFileStream<ReusableRow> stream;
    private final RowDatumReader datumReader;
    private final String file;

    private HotSegmentReader(
            DataFileStream<ReusableRow> stream, RowDatumReader datumReader, String file) {
        this.stream = stream;
        this.datumReader = datumReader;
        this.file = file;
    }

    /** Opens a segment on the file system of the path's URI, reading every scope. */
    public static HotSegmentReader open(Path path, TableDefinition table) throws IOException {
        return open(path.getFileSystem(), path, table, scope -> true);
    }

    /**
     * Opens a segment.
     *
     * @param scopes which scopes' changes to return
     * @throws IOException if the file is not a hot segment or a column's stored type differs
     */
    public static HotSegmentReader open(
            FileSystem fileSystem, Path path, TableDefinition table, Predicate<ScopeId> scopes)
            throws IOException {
        RowDatumReader datumReader = new RowDatumReader(table, scopes);
        InputStream in = fileSystem.open(path);
        try {
            DataFileStream<ReusableRow> stream = new DataFileStream<>(in, datumReader);
            return new HotSegmentReader(stream, datumReader, path.toString());
        } catch (IOException | RuntimeException e) {
            try {
                in.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException("Cannot open hot segment " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean next() throws IOException {
        try {
            while (stream.hasNext()) {
                stream.next(datumReader.row);
                if (datumReader.accepted) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) { // Avro reports damaged blocks unchecked
            throw new IOException("Cannot read hot segment " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ScopeId scope() {
        return datumReader.scope;
    }

    @Override
    public long seq() {
        return datumReader.seq;
    }

    @Override
    public ChangeOp op() {
        return datumReader.op;
    }

    /** The current row; the same instance after every {@link #next()}. */
    @Override
    public RowData row() {
        return datumReader.row;
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    /**
     * Decodes records of the file's own schema into the reusable row. The plan is made from the
     * writer schema the file carries: each field is a system column, a table column, or skipped.
     */
    private static final class RowDatumReader implements DatumReader<ReusableRow> {
        private final TableDefinition table;
        private final Predicate<ScopeId> scopes;
        private final ReusableRow row;
        private final Map<Utf8, ScopeId> scopeCache = new HashMap<>();
        private final Map<ScopeId, Boolean> accepts = new HashMap<>();
        private final Utf8 scopeBuffer = new Utf8();
        private Schema.Field[] fields;
        private int[] positions;
        private HotSegmentSchema.ValueCodec[] codecs;
        private ScopeId scope;
        private long seq;
        private ChangeOp op;
        private boolean accepted;

        RowDatumReader(TableDefinition table, Predicate<ScopeId> scopes) {
            this.table = table;
            this.scopes = scopes;
            this.row = new ReusableRow(table.columns().size());
        }

        @Override
        public void setSchema(Schema writerSchema) {
            List<Schema.Field> written = writerSchema.getFields();
            fields = written.toArray(new Schema.Field[0]);
            positions = new int[fields.length];
            codecs = new HotSegmentSchema.ValueCodec[fields.length];
            for (int i = 0; i < fields.length; i++) {
                positions[i] = -1;
                Object id = fields[i].getObjectProp(HotSegmentSchema.PROP_COLUMN_ID);
                if (id == null) {
                    continue; // a system column
                }
                for (int pos = 0; pos < table.columns().size(); pos++) {
                    Column column = table.columns().get(pos);
                    if (column.id() == ((Number) id).intValue()) {
                        checkType(fields[i], column);
                        positions[i] = pos;
                        codecs[i] = HotSegmentSchema.codec(column.type());
                    }
                }
            }
        }

        @Override
        public ReusableRow read(ReusableRow reuse, Decoder in) throws IOException {
            accepted = true;
            for (int i = 0; i < fields.length; i++) {
                if (!accepted) {
                    skip(fields[i].schema(), in);
                    continue;
                }
                switch (fields[i].name()) {
                    case HotSegmentSchema.SCOPE -> readScope(in);
                    case HotSegmentSchema.SEQ -> seq = in.readLong();
                    case HotSegmentSchema.OP -> op = ChangeOp.fromCode((byte) in.readInt());
                    default -> readColumn(i, in);
                }
            }
            return row;
        }

        private void readScope(Decoder in) throws IOException {
            if (in.readIndex() == 0) {
                scope = ScopeId.SHARED;
            } else {
                Utf8 userId = in.readString(scopeBuffer);
                scope = scopeCache.get(userId);
                if (scope == null) {
                    scope = ScopeId.user(userId.toString());
                    scopeCache.put(new Utf8(userId.toString()), scope);
                }
            }
            accepted = accepts.computeIfAbsent(scope, scopes::test);
        }

        private void readColumn(int field, Decoder in) throws IOException {
            int pos = positions[field];
            if (pos < 0) {
                skip(fields[field].schema(), in);
            } else if (in.readIndex() == 0) {
                row.setNull(pos);
            } else {
                codecs[field].read(in, row, pos);
            }
        }

        private static void checkType(Schema.Field field, Column column) {
            Object stored = field.getObjectProp(HotSegmentSchema.PROP_FLINK_TYPE);
            if (!column.type().asSerializableString().equals(stored)) {
                throw new IllegalArgumentException(
                        "column "
                                + column.name()
                                + " is stored as "
                                + stored
                                + ", but the table says "
                                + column.type().asSerializableString());
            }
        }

        /** Skips a value of the schemas hot segments use: primitives and unions of them. */
        private static void skip(Schema schema, Decoder in) throws IOException {
            switch (schema.getType()) {
                case NULL -> in.readNull();
                case BOOLEAN -> in.readBoolean();
                case INT -> in.readInt();
                case LONG -> in.readLong();
                case FLOAT -> in.readFloat();
                case DOUBLE -> in.readDouble();
                case STRING -> in.skipString();
                case BYTES -> in.skipBytes();
                case UNION -> skip(schema.getTypes().get(in.readIndex()), in);
                default -> throw new IOException("Cannot skip Avro type " + schema.getType());
            }
        }
    }
}
