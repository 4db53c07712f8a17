package dev.tiered.state.cold;

import dev.tiered.state.Column;
import dev.tiered.state.TableDefinition;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link BatchReader} reads of one file: the file's fields it requests and, for each, the
 * table column it fills and that column's position in the row.
 *
 * @param requested the fields to read, in file order: the key, the requested columns, {@code _seq}
 *     and {@code _deleted}
 * @param columns for each requested field, the table column it fills (null for system columns)
 * @param positions for each requested field, the column's position in the row (-1 for system
 *     columns)
 * @param keyField the name of the key's field in the file
 */
record BatchReadSchema(
        MessageType requested, List<Column> columns, int[] positions, String keyField) {

    /**
     * The file's fields to read, in file order: the key, the requested columns and the system
     * columns. Table columns are matched to file fields by field id (the column id), else by name;
     * a column the file lacks is not read (it stays null).
     */
    static BatchReadSchema of(MessageType fileSchema, TableDefinition table, BatchReadSpec spec) {
        for (String name : spec.columns() == null ? List.<String>of() : spec.columns()) {
            if (table.column(name).isEmpty()) {
                throw new IllegalArgumentException(
                        "no column '" + name + "' in table " + table.tableId());
            }
        }
        int keyPos = table.primaryKeyIndex();
        List<Column> columns = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        Types.MessageTypeBuilder builder = Types.buildMessage();
        for (Type field : fileSchema.getFields()) {
            String name = field.getName();
            if (name.equals(ParquetSchemas.SEQ) || name.equals(ParquetSchemas.DELETED)) {
                builder.addField(field);
                columns.add(null);
                positions.add(-1);
                continue;
            }
            int pos = columnPosition(table, field);
            if (pos < 0 || (pos != keyPos && !isRequested(spec, table.columns().get(pos)))) {
                continue;
            }
            Column column = table.columns().get(pos);
            checkType(field, column);
            builder.addField(field);
            columns.add(column);
            positions.add(pos);
        }
        MessageType requested = builder.named(fileSchema.getName());
        if (!positions.contains(keyPos)) {
            throw new IllegalArgumentException("file has no key column " + table.primaryKey());
        }
        for (String system : List.of(ParquetSchemas.SEQ, ParquetSchemas.DELETED)) {
            if (!requested.containsField(system)) {
                throw new IllegalArgumentException("file has no column " + system);
            }
        }
        return new BatchReadSchema(
                requested,
                Collections.unmodifiableList(columns),
                positions.stream().mapToInt(Integer::intValue).toArray(),
                requested.getType(positions.indexOf(keyPos)).getName());
    }

    private static int columnPosition(TableDefinition table, Type field) {
        if (field.getId() != null) {
            int id = field.getId().intValue();
            for (int i = 0; i < table.columns().size(); i++) {
                if (table.columns().get(i).id() == id) {
                    return i;
                }
            }
            return -1;
        }
        return table.columnIndex(field.getName());
    }

    private static boolean isRequested(BatchReadSpec spec, Column column) {
        return spec.columns() == null || spec.columns().contains(column.name());
    }

    private static void checkType(Type field, Column column) {
        Type expected = ParquetSchemas.columnType(column, field.getRepetition());
        if (!field.isPrimitive()
                || !field.asPrimitiveType()
                        .getPrimitiveTypeName()
                        .equals(expected.asPrimitiveType().getPrimitiveTypeName())
                || !Objects.equals(
                        field.getLogicalTypeAnnotation(), expected.getLogicalTypeAnnotation())) {
            throw new IllegalArgumentException(
                    "column "
                            + column.name()
                            + " is stored as "
                            + field
                            + ", but the table's type "
                            + column.type().asSummaryString()
                            + " maps to "
                            + expected);
        }
    }
}
