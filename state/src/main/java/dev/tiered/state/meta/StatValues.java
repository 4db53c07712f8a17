package dev.tiered.state.meta;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Base64;

/**
 * Statistics values in manifests, KalamDB-style: an externally tagged object such as {@code
 * {"Int64": "42"}}, {@code {"Utf8": "alice"}} or {@code {"TimestampMillisecond": {"value": "...",
 * "timezone": null}}}. 64-bit numbers are strings so JSON readers keep their precision. In memory
 * the values are Flink internal data (see {@link ColumnStats}).
 */
final class StatValues {
    private StatValues() {}

    static void write(JsonGenerator gen, LogicalType type, Object value) throws IOException {
        if (value == null) {
            gen.writeNull();
            return;
        }
        gen.writeStartObject();
        switch (type.getTypeRoot()) {
            case BOOLEAN -> gen.writeBooleanField("Boolean", (Boolean) value);
            case TINYINT -> gen.writeNumberField("Int8", (Byte) value);
            case SMALLINT -> gen.writeNumberField("Int16", (Short) value);
            case INTEGER -> gen.writeNumberField("Int32", (Integer) value);
            case BIGINT -> gen.writeStringField("Int64", Long.toString((Long) value));
            case FLOAT -> gen.writeNumberField("Float32", (Float) value);
            case DOUBLE -> gen.writeNumberField("Float64", (Double) value);
            case CHAR, VARCHAR -> gen.writeStringField("Utf8", value.toString());
            case BINARY, VARBINARY ->
                    gen.writeStringField(
                            "Binary", Base64.getEncoder().encodeToString((byte[]) value));
            case DECIMAL ->
                    gen.writeStringField(
                            "Decimal128", ((DecimalData) value).toBigDecimal().toPlainString());
            case DATE -> gen.writeNumberField("Date32", (Integer) value);
            case TIME_WITHOUT_TIME_ZONE ->
                    gen.writeNumberField("Time32Millisecond", (Integer) value);
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    writeTimestamp(gen, type, (TimestampData) value);
            default ->
                    throw new IllegalArgumentException(
                            "Cannot write statistics of type " + type.asSummaryString());
        }
        gen.writeEndObject();
    }

    static Object read(JsonNode node, LogicalType type) {
        if (node == null || node.isNull()) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                return node.get("Boolean").asBoolean();
            case TINYINT:
                return (byte) node.get("Int8").asInt();
            case SMALLINT:
                return (short) node.get("Int16").asInt();
            case INTEGER:
                return node.get("Int32").asInt();
            case BIGINT:
                return Long.parseLong(node.get("Int64").asText());
            case FLOAT:
                return (float) node.get("Float32").asDouble();
            case DOUBLE:
                return node.get("Float64").asDouble();
            case CHAR:
            case VARCHAR:
                return StringData.fromString(node.get("Utf8").asText());
            case BINARY:
            case VARBINARY:
                return Base64.getDecoder().decode(node.get("Binary").asText());
            case DECIMAL:
                DecimalType decimal = (DecimalType) type;
                return DecimalData.fromBigDecimal(
                        new BigDecimal(node.get("Decimal128").asText()),
                        decimal.getPrecision(),
                        decimal.getScale());
            case DATE:
                return node.get("Date32").asInt();
            case TIME_WITHOUT_TIME_ZONE:
                return node.get("Time32Millisecond").asInt();
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return readTimestamp(node);
            default:
                throw new IllegalArgumentException(
                        "Cannot read statistics of type " + type.asSummaryString());
        }
    }

    private static void writeTimestamp(JsonGenerator gen, LogicalType type, TimestampData ts)
            throws IOException {
        int precision = LogicalTypeChecks.getPrecision(type);
        String tag;
        long value;
        if (precision <= 3) {
            tag = "TimestampMillisecond";
            value = ts.getMillisecond();
        } else if (precision <= 6) {
            tag = "TimestampMicrosecond";
            value = ts.getMillisecond() * 1000 + ts.getNanoOfMillisecond() / 1000;
        } else {
            tag = "TimestampNanosecond";
            value = ts.getMillisecond() * 1_000_000 + ts.getNanoOfMillisecond();
        }
        gen.writeObjectFieldStart(tag);
        gen.writeStringField("value", Long.toString(value));
        if (type.getTypeRoot()
                == org.apache.flink.table.types.logical.LogicalTypeRoot
                        .TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
            gen.writeStringField("timezone", "UTC");
        } else {
            gen.writeNullField("timezone");
        }
        gen.writeEndObject();
    }

    private static TimestampData readTimestamp(JsonNode node) {
        if (node.has("TimestampMillisecond")) {
            return TimestampData.fromEpochMillis(
                    Long.parseLong(node.get("TimestampMillisecond").get("value").asText()));
        }
        if (node.has("TimestampMicrosecond")) {
            long micros = Long.parseLong(node.get("TimestampMicrosecond").get("value").asText());
            return TimestampData.fromEpochMillis(
                    Math.floorDiv(micros, 1000), (int) Math.floorMod(micros, 1000) * 1000);
        }
        long nanos = Long.parseLong(node.get("TimestampNanosecond").get("value").asText());
        return TimestampData.fromEpochMillis(
                Math.floorDiv(nanos, 1_000_000), (int) Math.floorMod(nanos, 1_000_000));
    }
}
