package dev.tiered.sink.internal;

import dev.tiered.state.BadRowException;
import dev.tiered.state.io.ObjectStores;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Rejected rows of {@code sink.bad-rows = dead-letter}: one JSON line per row ({@code table},
 * {@code column}, {@code reason}, {@code row} as text) in {@code _rejected/<writer>-<n>.jsonl}, a
 * new file per checkpoint. Only bad rows pay for this. Not thread-safe.
 */
@Internal
final class DeadLetters implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Path dir;
    private final boolean objectStore;
    private final String prefix;
    private final RowData.FieldGetter[] getters;
    private final String[] names;
    private FSDataOutputStream out;
    private int files;

    DeadLetters(Path dir, String prefix, RowType rowType) {
        this.dir = dir;
        this.objectStore = ObjectStores.isObjectStore(dir);
        this.prefix = prefix;
        this.names = rowType.getFieldNames().toArray(new String[0]);
        this.getters = new RowData.FieldGetter[names.length];
        for (int i = 0; i < names.length; i++) {
            getters[i] = RowData.createFieldGetter(rowType.getTypeAt(i), i);
        }
    }

    void write(String tableId, BadRowException error, RowData row) throws IOException {
        if (out == null) {
            Path file = new Path(dir, prefix + "-" + files++ + ".jsonl");
            out = file.getFileSystem().create(file, FileSystem.WriteMode.NO_OVERWRITE);
        }
        try (JsonGenerator gen =
                JSON.createGenerator((OutputStream) new NonClosing(out, objectStore))) {
            gen.writeStartObject();
            gen.writeStringField("table", tableId);
            gen.writeStringField("column", error.column());
            gen.writeStringField("reason", error.reason());
            gen.writeObjectFieldStart("row");
            for (int i = 0; i < getters.length; i++) {
                Object value = getters[i].getFieldOrNull(row);
                gen.writeStringField(names[i], value == null ? null : String.valueOf(value));
            }
            gen.writeEndObject();
            gen.writeEndObject();
        }
        out.write('\n');
    }

    /** Ends the current file, making its rows durable. */
    void roll() throws IOException {
        if (out != null) {
            if (!objectStore) {
                // On an object store the rows are durable when close() has uploaded them.
                out.sync();
            }
            out.close();
            out = null;
        }
    }

    @Override
    public void close() throws IOException {
        roll();
    }

    /**
     * Keeps the generator from closing the shared stream, and from flushing it on an object store
     * (Flink's flush() is Hadoop's hflush() there, which S3A does not have).
     */
    private static final class NonClosing extends java.io.FilterOutputStream {
        private final boolean objectStore;

        NonClosing(OutputStream out, boolean objectStore) {
            super(out);
            this.objectStore = objectStore;
        }

        @Override
        public void flush() throws IOException {
            if (!objectStore) {
                out.flush();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
