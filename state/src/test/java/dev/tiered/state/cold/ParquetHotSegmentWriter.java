package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.Column;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Parquet candidate for hot segments, kept for the benchmark that chose Avro (see
 * docs/benchmarks.md): {@code _scope} (optional STRING), {@code _seq} (INT64), {@code _op} (INT32
 * INT(8)), then every table column OPTIONAL, written straight from RowData like {@link
 * BatchWriteSupport}. Test code only.
 */
public final class ParquetHotSegmentWriter implements AutoCloseable {
    private final ParquetWriter<ChangeRecord> writer;
    private final ChangeRecord record = new ChangeRecord();
    private final FlinkOutputFile file;

    public ParquetHotSegmentWriter(
            FileSystem fileSystem, Path path, TableDefinition table, ParquetCompression compression)
            throws IOException {
        this.file = new FlinkOutputFile(fileSystem, path);
        this.writer =
                new WriteSupportBuilder<>(file, new HotWriteSupport(table))
                        .withConf(new PlainParquetConfiguration())
                        .withWriteMode(ParquetFileWriter.Mode.CREATE)
                        .withCompressionCodec(compression.codec())
                        .build();
    }

    public void write(ScopeId scope, long seq, ChangeOp op, RowData row) throws IOException {
        record.set(row, seq, op);
        record.scope = scope.isShared() ? null : scope.userId().getBytes(StandardCharsets.UTF_8);
        writer.write(record);
    }

    /** Closes the file; returns its length. */
    public long finish() throws IOException {
        writer.close();
        return file.bytesWritten();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static final class HotWriteSupport extends WriteSupport<ChangeRecord> {
        private final MessageType schema;
        private final FieldWriter[] fields;
        private RecordConsumer consumer;

        HotWriteSupport(TableDefinition table) {
            Types.MessageTypeBuilder builder = Types.buildMessage();
            builder.addField(
                    Types.optional(PrimitiveTypeName.BINARY)
                            .as(LogicalTypeAnnotation.stringType())
                            .named("_scope"));
            builder.addField(Types.required(PrimitiveTypeName.INT64).named("_seq"));
            builder.addField(
                    Types.required(PrimitiveTypeName.INT32)
                            .as(LogicalTypeAnnotation.intType(8, true))
                            .named("_op"));
            fields = new FieldWriter[table.columns().size()];
            for (int i = 0; i < fields.length; i++) {
                Column column = table.columns().get(i);
                builder.addField(ParquetSchemas.columnType(column, Type.Repetition.OPTIONAL));
                fields[i] = new FieldWriter(column.name(), i + 3, i, column.type());
            }
            schema = builder.named("hot_segment");
        }

        @SuppressWarnings("deprecation") // still abstract in Parquet 1.15: must be implemented
        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, Map.of());
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, Map.of());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            consumer = recordConsumer;
        }

        @Override
        public void write(ChangeRecord change) {
            consumer.startMessage();
            if (change.scope != null) {
                consumer.startField("_scope", 0);
                consumer.addBinary(Binary.fromReusedByteArray(change.scope));
                consumer.endField("_scope", 0);
            }
            consumer.startField("_seq", 1);
            consumer.addLong(change.seq);
            consumer.endField("_seq", 1);
            consumer.startField("_op", 2);
            consumer.addInteger(change.op.code());
            consumer.endField("_op", 2);
            for (FieldWriter field : fields) {
                field.write(consumer, change.row);
            }
            consumer.endMessage();
        }
    }
}
