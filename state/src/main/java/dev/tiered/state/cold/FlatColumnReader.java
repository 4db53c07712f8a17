package dev.tiered.state.cold;

import dev.tiered.state.cold.FieldConverters.StringSliceConverter;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;

import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads one column of a whole row group, one value per row, into a {@link PrimitiveConverter}: the
 * column-at-a-time read {@link BatchReader} uses for batches, whose columns are all flat (neither
 * repeated nor nested), in place of Parquet's record assembly.
 *
 * <p>Pages are decompressed by Parquet; levels, dictionaries and most encodings are decoded by
 * Parquet's own readers. The exceptions are PLAIN INT32, INT64, FLOAT and DOUBLE, read straight
 * from the page's buffer (Parquet reads those a byte array at a time through a stream, which was
 * the largest single cost of a full scan), and PLAIN strings of a {@link StringSliceConverter}: the
 * page's values are copied once into an array of their own, and each string is a view of it
 * (Parquet makes a {@link org.apache.parquet.io.api.Binary} and a buffer per value, and the
 * converter a copy). Only for row groups read whole: the pages of a row group narrowed by a column
 * index are not aligned across columns, and Parquet's record reader keeps them in step.
 */
final class FlatColumnReader {
    private final ColumnDescriptor column;
    private final PageReader pages;
    private final PrimitiveConverter converter;
    private final PrimitiveTypeName type;
    private final boolean optional;
    private final Dictionary dictionary;
    private final boolean dictionaryIds;
    private final PlainFixedWidth plain = new PlainFixedWidth();

    /** PLAIN strings of a {@link StringSliceConverter}; null for other columns. */
    private final PlainStrings plainStrings;

    private Levels definitions;
    private ValuesReader values;
    private boolean valuesAreIds;
    private boolean valuesAreSlices;
    private int leftInPage;

    FlatColumnReader(ColumnDescriptor column, PageReader pages, PrimitiveConverter converter)
            throws IOException {
        if (column.getMaxRepetitionLevel() != 0 || column.getMaxDefinitionLevel() > 1) {
            throw new IllegalArgumentException("column " + column + " is not flat");
        }
        this.column = column;
        this.pages = pages;
        this.converter = converter;
        this.type = column.getPrimitiveType().getPrimitiveTypeName();
        this.optional = column.getMaxDefinitionLevel() == 1;
        this.plainStrings =
                type == PrimitiveTypeName.BINARY && converter instanceof StringSliceConverter slices
                        ? new PlainStrings(slices)
                        : null;
        DictionaryPage dictionaryPage = pages.readDictionaryPage();
        this.dictionary =
                dictionaryPage == null
                        ? null
                        : dictionaryPage.getEncoding().initDictionary(column, dictionaryPage);
        this.dictionaryIds = dictionary != null && converter.hasDictionarySupport();
        if (dictionaryIds) {
            converter.setDictionary(dictionary);
        }
    }

    /**
     * Reads the next row's value into the converter.
     *
     * @return false if the value is null (nothing was passed to the converter)
     */
    boolean read() throws IOException {
        if (leftInPage == 0) {
            nextPage();
        }
        leftInPage--;
        if (optional && definitions.next() == 0) {
            return false;
        }
        if (valuesAreIds) {
            converter.addValueFromDictionary(values.readValueDictionaryId());
            return true;
        }
        if (valuesAreSlices) {
            plainStrings.read();
            return true;
        }
        switch (type) {
            case INT64 -> converter.addLong(values.readLong());
            case INT32 -> converter.addInt(values.readInteger());
            case BINARY, FIXED_LEN_BYTE_ARRAY -> converter.addBinary(values.readBytes());
            case BOOLEAN -> converter.addBoolean(values.readBoolean());
            case DOUBLE -> converter.addDouble(values.readDouble());
            case FLOAT -> converter.addFloat(values.readFloat());
            default -> throw new IOException("Cannot read column " + column + " of type " + type);
        }
        return true;
    }

    private void nextPage() throws IOException {
        DataPage page = pages.readPage();
        if (page == null) {
            throw new IOException("Column " + column + " has fewer values than its row group");
        }
        leftInPage = page.getValueCount();
        try {
            page.accept(
                    new DataPage.Visitor<Void>() {
                        @Override
                        public Void visit(DataPageV1 v1) {
                            readPage(v1);
                            return null;
                        }

                        @Override
                        public Void visit(DataPageV2 v2) {
                            readPage(v2);
                            return null;
                        }
                    });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void readPage(DataPageV1 page) {
        try {
            // Flat: no repetition levels are stored (max level 0), nor definition levels of a
            // required column.
            ByteBufferInputStream in = page.getBytes().toInputStream();
            if (optional) {
                ValuesReader levels =
                        page.getDlEncoding().getValuesReader(column, ValuesType.DEFINITION_LEVEL);
                levels.initFromPage(page.getValueCount(), in);
                definitions = levels::readInteger;
            }
            initValues(page.getValueEncoding(), page.getValueCount(), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readPage(DataPageV2 page) {
        try {
            if (optional) {
                RunLengthBitPackingHybridDecoder levels =
                        new RunLengthBitPackingHybridDecoder(
                                BytesUtils.getWidthFromMaxInt(column.getMaxDefinitionLevel()),
                                page.getDefinitionLevels().toInputStream());
                definitions = levels::readInt;
            }
            initValues(
                    page.getDataEncoding(), page.getValueCount(), page.getData().toInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void initValues(Encoding encoding, int valueCount, ByteBufferInputStream in)
            throws IOException {
        if (encoding.usesDictionary()) {
            if (dictionary == null) {
                throw new IOException(
                        "Column " + column + " has a dictionary-encoded page but no dictionary");
            }
            values = encoding.getDictionaryBasedValuesReader(column, ValuesType.VALUES, dictionary);
            valuesAreIds = dictionaryIds;
            valuesAreSlices = false;
        } else if (encoding == Encoding.PLAIN && plainStrings != null) {
            plainStrings.init(in);
            valuesAreIds = false;
            valuesAreSlices = true;
            return;
        } else {
            values =
                    encoding == Encoding.PLAIN && PlainFixedWidth.reads(type)
                            ? plain
                            : encoding.getValuesReader(column, ValuesType.VALUES);
            valuesAreIds = false;
            valuesAreSlices = false;
        }
        values.initFromPage(valueCount, in);
    }

    /** A page's definition levels, one per row. */
    @FunctionalInterface
    private interface Levels {
        int next() throws IOException;
    }

    /**
     * PLAIN strings (a little-endian 4-byte length, then the bytes) of one page, copied once into a
     * new array that only the strings read from it refer to.
     */
    private static final class PlainStrings {
        private final StringSliceConverter converter;
        private MemorySegment[] page;
        private ByteBuffer lengths;
        private int position;

        PlainStrings(StringSliceConverter converter) {
            this.converter = converter;
        }

        void init(ByteBufferInputStream in) throws IOException {
            byte[] bytes = new byte[in.available()];
            in.slice(bytes.length).get(bytes);
            page = new MemorySegment[] {MemorySegmentFactory.wrap(bytes)};
            lengths = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            position = 0;
        }

        void read() {
            int length = lengths.getInt(position);
            converter.addString(page, position + 4, length);
            position += 4 + length;
        }
    }

    /** PLAIN 4- and 8-byte values, little-endian, read from the page's buffer in place. */
    private static final class PlainFixedWidth extends ValuesReader {
        private ByteBuffer buffer;

        static boolean reads(PrimitiveTypeName type) {
            return switch (type) {
                case INT32, INT64, FLOAT, DOUBLE -> true;
                default -> false;
            };
        }

        @Override
        public void initFromPage(int valueCount, ByteBufferInputStream in) throws IOException {
            buffer = in.slice(in.available()).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public long readLong() {
            return buffer.getLong();
        }

        @Override
        public int readInteger() {
            return buffer.getInt();
        }

        @Override
        public double readDouble() {
            return buffer.getDouble();
        }

        @Override
        public float readFloat() {
            return buffer.getFloat();
        }

        @Override
        public void skip() {
            throw new UnsupportedOperationException("every value is read");
        }
    }
}
