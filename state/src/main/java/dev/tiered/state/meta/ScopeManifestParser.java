package dev.tiered.state.meta;

import org.apache.flink.table.types.logical.LogicalType;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Reads and writes scope manifests ({@code manifest.json}, {@code manifest-v<version>.json}) in
 * KalamDB's shape plus {@code last_commit}, {@code flushed_through_seq} and {@code format_version}.
 * Output is compact and deterministic: the same manifest always gives the same bytes, so a
 * re-derived version equals the one it replaces.
 *
 * <p>Column statistics are keyed by column id; decoding them needs each column's type, given as a
 * function of the id (ids it does not know are skipped).
 */
public final class ScopeManifestParser {
    public static final int FORMAT_VERSION = 1;

    private static final String FORMAT_VERSION_FIELD = "format_version";
    private static final String TABLE_ID = "table_id";
    private static final String USER_ID = "user_id";
    private static final String VERSION = "version";
    private static final String CREATED_AT = "created_at";
    private static final String UPDATED_AT = "updated_at";
    private static final String SEGMENTS = "segments";
    private static final String LAST_SEQUENCE_NUMBER = "last_sequence_number";
    private static final String LAST_COMMIT = "last_commit";
    private static final String FLUSHED_THROUGH_SEQ = "flushed_through_seq";
    private static final String MIN_SEQ = "min_seq";
    private static final String MAX_SEQ = "max_seq";
    private static final String ROW_COUNT = "row_count";
    private static final String SIZE_BYTES = "size_bytes";
    private static final String ID = "id";
    private static final String PATH = "path";
    private static final String COLUMN_STATS = "column_stats";
    private static final String MIN = "min";
    private static final String MAX = "max";
    private static final String NULL_COUNT = "null_count";
    private static final String SCHEMA_VERSION = "schema_version";
    private static final String STATUS = "status";

    private ScopeManifestParser() {}

    public static byte[] toJson(ScopeManifest manifest, IntFunction<LogicalType> columnTypes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField(TABLE_ID, manifest.tableId());
            gen.writeStringField(USER_ID, manifest.userId());
            gen.writeNumberField(VERSION, manifest.version());
            gen.writeNumberField(CREATED_AT, manifest.createdAt());
            gen.writeNumberField(UPDATED_AT, manifest.updatedAt());
            gen.writeArrayFieldStart(SEGMENTS);
            for (SegmentEntry segment : manifest.segments()) {
                writeSegment(gen, segment, columnTypes);
            }
            gen.writeEndArray();
            gen.writeNumberField(LAST_SEQUENCE_NUMBER, manifest.lastSequenceNumber());
            gen.writeNumberField(LAST_COMMIT, manifest.lastCommit());
            gen.writeNumberField(FLUSHED_THROUGH_SEQ, manifest.flushedThroughSeq());
            gen.writeNumberField(FORMAT_VERSION_FIELD, FORMAT_VERSION);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static ScopeManifest fromJson(byte[] json, IntFunction<LogicalType> columnTypes) {
        JsonNode root = Json.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        if (root.has(FORMAT_VERSION_FIELD)
                && Json.getInt(root, FORMAT_VERSION_FIELD) > FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "Cannot read manifest: format_version "
                            + Json.getInt(root, FORMAT_VERSION_FIELD)
                            + " is newer than this connector reads");
        }
        List<SegmentEntry> segments = new ArrayList<>();
        for (JsonNode segment : Json.getArray(root, SEGMENTS)) {
            segments.add(readSegment(segment, columnTypes));
        }
        JsonNode userId = root.get(USER_ID);
        return new ScopeManifest(
                Json.getString(root, TABLE_ID),
                userId == null || userId.isNull() ? null : userId.asText(),
                Json.getLong(root, VERSION),
                Json.getLong(root, CREATED_AT),
                Json.getLong(root, UPDATED_AT),
                segments,
                root.has(LAST_SEQUENCE_NUMBER) ? Json.getLong(root, LAST_SEQUENCE_NUMBER) : 0,
                root.has(LAST_COMMIT) ? Json.getLong(root, LAST_COMMIT) : 0,
                root.has(FLUSHED_THROUGH_SEQ) ? Json.getLong(root, FLUSHED_THROUGH_SEQ) : 0);
    }

    static void writeSegment(
            JsonGenerator gen, SegmentEntry segment, IntFunction<LogicalType> columnTypes)
            throws IOException {
        gen.writeStartObject();
        gen.writeNumberField(MIN_SEQ, segment.minSeq());
        gen.writeNumberField(MAX_SEQ, segment.maxSeq());
        gen.writeNumberField(ROW_COUNT, segment.rowCount());
        gen.writeNumberField(SIZE_BYTES, segment.sizeBytes());
        gen.writeNumberField(CREATED_AT, segment.createdAt());
        gen.writeStringField(ID, segment.id());
        gen.writeStringField(PATH, segment.path());
        gen.writeObjectFieldStart(COLUMN_STATS);
        for (Map.Entry<Integer, ColumnStats> entry :
                new TreeMap<>(segment.columnStats()).entrySet()) {
            LogicalType type = columnTypes.apply(entry.getKey());
            if (type == null) {
                continue;
            }
            gen.writeObjectFieldStart(Integer.toString(entry.getKey()));
            gen.writeFieldName(MIN);
            StatValues.write(gen, type, entry.getValue().min());
            gen.writeFieldName(MAX);
            StatValues.write(gen, type, entry.getValue().max());
            gen.writeNumberField(NULL_COUNT, entry.getValue().nullCount());
            gen.writeEndObject();
        }
        gen.writeEndObject();
        gen.writeNumberField(SCHEMA_VERSION, segment.schemaVersion());
        gen.writeStringField(STATUS, segment.status());
        gen.writeEndObject();
    }

    static SegmentEntry readSegment(JsonNode node, IntFunction<LogicalType> columnTypes) {
        Map<Integer, ColumnStats> stats = new TreeMap<>();
        JsonNode statsNode = node.get(COLUMN_STATS);
        if (statsNode != null && statsNode.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = statsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                int columnId = Integer.parseInt(entry.getKey());
                LogicalType type = columnTypes.apply(columnId);
                if (type == null) {
                    continue;
                }
                JsonNode value = entry.getValue();
                stats.put(
                        columnId,
                        new ColumnStats(
                                StatValues.read(value.get(MIN), type),
                                StatValues.read(value.get(MAX), type),
                                value.has(NULL_COUNT) ? value.get(NULL_COUNT).asLong() : 0));
            }
        }
        return new SegmentEntry(
                Json.getString(node, ID),
                Json.getString(node, PATH),
                Json.getLong(node, MIN_SEQ),
                Json.getLong(node, MAX_SEQ),
                Json.getLong(node, ROW_COUNT),
                Json.getLong(node, SIZE_BYTES),
                Json.getLong(node, CREATED_AT),
                stats,
                node.has(SCHEMA_VERSION) ? Json.getInt(node, SCHEMA_VERSION) : 1,
                node.has(STATUS) ? Json.getString(node, STATUS) : SegmentEntry.COMMITTED);
    }
}
