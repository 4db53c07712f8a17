package dev.tiered.state.cold;

import dev.tiered.state.Column;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.util.List;

/**
 * Assembles each batch row Parquet reads into one {@link ReusableRow} (the table's row type), plus
 * its {@code _seq} and {@code _deleted}. Columns that are not read stay null. Confined to its
 * reader's thread.
 */
final class BatchMaterializer extends RecordMaterializer<ReusableRow> {
    private final ReusableRow row;
    private final List<ColumnDescriptor> fields;
    private final int[] positions;
    private final int[] readPositions;
    private final Converter[] converters;
    private final GroupConverter root;
    private long seq;
    private boolean deleted;

    BatchMaterializer(BatchReadSchema schema, int arity) {
        MessageType requested = schema.requested();
        List<Column> columns = schema.columns();
        this.positions = schema.positions();
        this.fields = requested.getColumns();
        this.row = new ReusableRow(arity);
        int fields = requested.getFieldCount();
        this.converters = new Converter[fields];
        int read = 0;
        for (int i = 0; i < fields; i++) {
            Type field = requested.getType(i);
            if (field.getName().equals(ParquetSchemas.SEQ)) {
                converters[i] = seqConverter();
            } else if (field.getName().equals(ParquetSchemas.DELETED)) {
                converters[i] = deletedConverter();
            } else {
                converters[i] = FieldConverters.create(columns.get(i).type(), row, positions[i]);
                read++;
            }
        }
        this.readPositions = new int[read];
        for (int i = 0, j = 0; i < fields; i++) {
            if (columns.get(i) != null) {
                readPositions[j++] = positions[i];
            }
        }
        this.root = new Root();
    }

    /**
     * Readers of a whole row group's columns for {@link #readRow}, one per requested field, each
     * filling that field's converter.
     */
    FlatColumnReader[] columnReaders(PageReadStore pages) throws IOException {
        FlatColumnReader[] readers = new FlatColumnReader[fields.size()];
        for (int i = 0; i < readers.length; i++) {
            ColumnDescriptor field = fields.get(i);
            readers[i] =
                    new FlatColumnReader(
                            field,
                            pages.getPageReader(field),
                            converters[i].asPrimitiveConverter());
        }
        return readers;
    }

    /** Reads the next row of the row group of {@code readers} into the current record. */
    void readRow(FlatColumnReader[] readers) throws IOException {
        for (int i = 0; i < readers.length; i++) {
            if (!readers[i].read()) {
                row.setNull(positions[i]); // only table columns are optional
            }
        }
    }

    long seq() {
        return seq;
    }

    boolean deleted() {
        return deleted;
    }

    @Override
    public ReusableRow getCurrentRecord() {
        return row;
    }

    @Override
    public GroupConverter getRootConverter() {
        return root;
    }

    private PrimitiveConverter seqConverter() {
        return new PrimitiveConverter() {
            @Override
            public void addLong(long value) {
                seq = value;
            }
        };
    }

    private PrimitiveConverter deletedConverter() {
        return new PrimitiveConverter() {
            @Override
            public void addBoolean(boolean value) {
                deleted = value;
            }
        };
    }

    private final class Root extends GroupConverter {
        @Override
        public Converter getConverter(int fieldIndex) {
            return converters[fieldIndex];
        }

        /** A null is the absence of a value: clear what the previous row left. */
        @Override
        public void start() {
            for (int pos : readPositions) {
                row.setNull(pos);
            }
        }

        @Override
        public void end() {}
    }
}
