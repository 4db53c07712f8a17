package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.TableDefinition;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.util.Map;

/**
 * Writes a {@link ChangeRecord} as one row of a cold batch ({@link ParquetSchemas#batchSchema}):
 * the table's columns straight from the {@code RowData}, then {@code _seq} and {@code _deleted}. A
 * tombstone writes its key and nulls for every other column, whatever its row holds.
 */
final class BatchWriteSupport extends WriteSupport<ChangeRecord> {
    private final MessageType schema;
    private final Map<String, String> metadata;
    private final FieldWriter[] fields;
    private final FieldWriter key;
    private final int seqIndex;
    private final int deletedIndex;
    private RecordConsumer consumer;

    BatchWriteSupport(TableDefinition table, Map<String, String> metadata) {
        this.schema = ParquetSchemas.batchSchema(table);
        this.metadata = Map.copyOf(metadata);
        int columns = table.columns().size();
        this.fields = new FieldWriter[columns];
        for (int i = 0; i < columns; i++) {
            fields[i] =
                    new FieldWriter(
                            table.columns().get(i).name(), i, i, table.columns().get(i).type());
        }
        this.key = fields[table.primaryKeyIndex()];
        this.seqIndex = columns;
        this.deletedIndex = columns + 1;
    }

    MessageType schema() {
        return schema;
    }

    @SuppressWarnings("deprecation") // still abstract in Parquet 1.15: must be implemented
    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(schema, metadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, metadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    @Override
    public void write(ChangeRecord record) {
        consumer.startMessage();
        boolean deleted = record.op == ChangeOp.DELETE;
        if (deleted) {
            key.write(consumer, record.row);
        } else {
            for (FieldWriter field : fields) {
                field.write(consumer, record.row);
            }
        }
        consumer.startField(ParquetSchemas.SEQ, seqIndex);
        consumer.addLong(record.seq);
        consumer.endField(ParquetSchemas.SEQ, seqIndex);
        consumer.startField(ParquetSchemas.DELETED, deletedIndex);
        consumer.addBoolean(deleted);
        consumer.endField(ParquetSchemas.DELETED, deletedIndex);
        consumer.endMessage();
    }

    @Override
    public String getName() {
        return "tiered";
    }
}
