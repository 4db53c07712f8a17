package dev.tiered.state.meta;

import dev.tiered.state.ScopeId;

import org.apache.flink.table.types.logical.LogicalType;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Reads and writes commit records, {@code _log/<N>.json}. Deterministic compact output. */
public final class CommitRecordParser {
    public static final int FORMAT_VERSION = 1;

    private static final String FORMAT_VERSION_FIELD = "format_version";
    private static final String COMMIT = "commit";
    private static final String OPERATION = "operation";
    private static final String WRITER_ID = "writer_id";
    private static final String CHECKPOINT_ID = "checkpoint_id";

    /** A sink delta: the last commit its writer had seen when it prepared the delta. */
    private static final String BASIS_COMMIT = "basis_commit";

    private static final String TIMESTAMP_MS = "timestamp_ms";
    private static final String SCHEMA_VERSION = "schema_version";
    private static final String MAX_SEQ = "max_seq";
    private static final String HOT_ADDED = "hot_added";
    private static final String HOT_RETIRED = "hot_retired";
    private static final String HOT_FLUSHED = "hot_flushed";
    private static final String SCOPES = "scopes";
    private static final String PATH = "path";
    private static final String MIN_SEQ = "min_seq";
    private static final String ROW_COUNT = "row_count";
    private static final String SIZE_BYTES = "size_bytes";
    private static final String USER_ID = "user_id";
    private static final String VERSION = "version";
    private static final String ADDED = "added";
    private static final String REMOVED = "removed";
    private static final String FLUSHED_THROUGH_SEQ = "flushed_through_seq";
    private static final String ERASED = "erased";

    private CommitRecordParser() {}

    public static byte[] toJson(CommitRecord record, IntFunction<LogicalType> columnTypes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeNumberField(FORMAT_VERSION_FIELD, FORMAT_VERSION);
            gen.writeNumberField(COMMIT, record.commit());
            gen.writeStringField(OPERATION, record.operation());
            gen.writeStringField(WRITER_ID, record.writerId());
            gen.writeNumberField(CHECKPOINT_ID, record.checkpointId());
            gen.writeNumberField(TIMESTAMP_MS, record.timestampMillis());
            gen.writeNumberField(SCHEMA_VERSION, record.schemaVersion());
            gen.writeNumberField(MAX_SEQ, record.maxSeq());
            gen.writeArrayFieldStart(HOT_ADDED);
            for (HotSegmentRef hot : record.hotAdded()) {
                writeHotSegment(gen, hot);
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart(HOT_RETIRED);
            for (String path : record.hotRetired()) {
                gen.writeString(path);
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart(SCOPES);
            for (ScopeChange change : record.scopeChanges()) {
                writeScopeChange(gen, change, columnTypes);
            }
            gen.writeEndArray();
            if (!record.hotFlushed().isEmpty()) { // optional: older records have none
                gen.writeArrayFieldStart(HOT_FLUSHED);
                for (HotSegmentRef hot : record.hotFlushed()) {
                    writeHotSegment(gen, hot);
                }
                gen.writeEndArray();
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static CommitRecord fromJson(byte[] json, IntFunction<LogicalType> columnTypes) {
        JsonNode root = Json.parse(new String(json, StandardCharsets.UTF_8));
        int format = Json.getInt(root, FORMAT_VERSION_FIELD);
        if (format > FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "Cannot read commit: format_version "
                            + format
                            + " is newer than this connector reads");
        }
        List<HotSegmentRef> added = new ArrayList<>();
        for (JsonNode hot : Json.getArray(root, HOT_ADDED)) {
            added.add(readHotSegment(hot));
        }
        List<String> retired = new ArrayList<>();
        Json.getArray(root, HOT_RETIRED).forEach(n -> retired.add(n.asText()));
        List<ScopeChange> changes = new ArrayList<>();
        for (JsonNode change : Json.getArray(root, SCOPES)) {
            changes.add(readScopeChange(change, columnTypes));
        }
        List<HotSegmentRef> flushed = new ArrayList<>();
        if (root.has(HOT_FLUSHED)) {
            for (JsonNode hot : Json.getArray(root, HOT_FLUSHED)) {
                flushed.add(readHotSegment(hot));
            }
        }
        return new CommitRecord(
                Json.getLong(root, COMMIT),
                Json.getString(root, OPERATION),
                Json.getString(root, WRITER_ID),
                Json.getLong(root, CHECKPOINT_ID),
                Json.getLong(root, TIMESTAMP_MS),
                Json.getInt(root, SCHEMA_VERSION),
                Json.getLong(root, MAX_SEQ),
                added,
                retired,
                changes,
                flushed);
    }

    static void writeHotSegment(JsonGenerator gen, HotSegmentRef hot) throws IOException {
        gen.writeStartObject();
        gen.writeStringField(PATH, hot.path());
        gen.writeStringField(WRITER_ID, hot.writerId());
        gen.writeNumberField(CHECKPOINT_ID, hot.checkpointId());
        gen.writeNumberField(MIN_SEQ, hot.minSeq());
        gen.writeNumberField(MAX_SEQ, hot.maxSeq());
        gen.writeNumberField(ROW_COUNT, hot.rowCount());
        gen.writeNumberField(SIZE_BYTES, hot.sizeBytes());
        gen.writeArrayFieldStart(SCOPES);
        for (ScopeId scope : hot.scopes()) {
            gen.writeString(scope.userId());
        }
        gen.writeEndArray();
        gen.writeEndObject();
    }

    static HotSegmentRef readHotSegment(JsonNode node) {
        List<ScopeId> scopes = new ArrayList<>();
        for (JsonNode scope : Json.getArray(node, SCOPES)) {
            scopes.add(scope.isNull() ? ScopeId.SHARED : ScopeId.user(scope.asText()));
        }
        return new HotSegmentRef(
                Json.getString(node, PATH),
                Json.getString(node, WRITER_ID),
                Json.getLong(node, CHECKPOINT_ID),
                Json.getLong(node, MIN_SEQ),
                Json.getLong(node, MAX_SEQ),
                Json.getLong(node, ROW_COUNT),
                Json.getLong(node, SIZE_BYTES),
                scopes);
    }

    private static void writeScopeChange(
            JsonGenerator gen, ScopeChange change, IntFunction<LogicalType> columnTypes)
            throws IOException {
        gen.writeStartObject();
        gen.writeStringField(USER_ID, change.scope().userId());
        gen.writeNumberField(VERSION, change.version());
        gen.writeArrayFieldStart(ADDED);
        for (SegmentEntry segment : change.addedSegments()) {
            ScopeManifestParser.writeSegment(gen, segment, columnTypes);
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart(REMOVED);
        for (String id : change.removedSegments()) {
            gen.writeString(id);
        }
        gen.writeEndArray();
        gen.writeNumberField(FLUSHED_THROUGH_SEQ, change.flushedThroughSeq());
        gen.writeBooleanField(ERASED, change.erased());
        if (change.storage() != null) {
            gen.writeStringField(STORAGE, change.storage());
        }
        gen.writeEndObject();
    }

    private static ScopeChange readScopeChange(
            JsonNode node, IntFunction<LogicalType> columnTypes) {
        JsonNode userId = node.get(USER_ID);
        List<SegmentEntry> added = new ArrayList<>();
        for (JsonNode segment : Json.getArray(node, ADDED)) {
            added.add(ScopeManifestParser.readSegment(segment, columnTypes));
        }
        List<String> removed = new ArrayList<>();
        Json.getArray(node, REMOVED).forEach(n -> removed.add(n.asText()));
        return new ScopeChange(
                userId == null || userId.isNull() ? ScopeId.SHARED : ScopeId.user(userId.asText()),
                Json.getLong(node, VERSION),
                added,
                removed,
                Json.getLong(node, FLUSHED_THROUGH_SEQ),
                node.has(ERASED) && node.get(ERASED).asBoolean(),
                Json.getOptionalString(node, STORAGE));
    }

    private static final String FLUSHES = "flushes";

    /** The base URI of the storage a scope lives in, when not the table's own. */
    static final String STORAGE = "storage";

    /** Serializes a commit delta (a sink committable): the same field names as a commit record. */
    public static byte[] deltaToJson(CommitDelta delta, IntFunction<LogicalType> columnTypes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeNumberField(FORMAT_VERSION_FIELD, FORMAT_VERSION);
            gen.writeStringField(WRITER_ID, delta.writerId());
            gen.writeNumberField(CHECKPOINT_ID, delta.checkpointId());
            if (delta.basisCommit() >= 0) {
                gen.writeNumberField(BASIS_COMMIT, delta.basisCommit());
            }
            gen.writeArrayFieldStart(HOT_ADDED);
            for (HotSegmentRef hot : delta.hotSegments()) {
                writeHotSegment(gen, hot);
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart(FLUSHES);
            for (CommitDelta.ScopeFlush flush : delta.flushes()) {
                gen.writeStartObject();
                gen.writeStringField(USER_ID, flush.scope().userId());
                gen.writeArrayFieldStart(ADDED);
                for (SegmentEntry segment : flush.added()) {
                    ScopeManifestParser.writeSegment(gen, segment, columnTypes);
                }
                gen.writeEndArray();
                gen.writeNumberField(FLUSHED_THROUGH_SEQ, flush.flushedThroughSeq());
                if (flush.storage() != null) {
                    gen.writeStringField(STORAGE, flush.storage());
                }
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static CommitDelta deltaFromJson(byte[] json, IntFunction<LogicalType> columnTypes) {
        JsonNode root = Json.parse(new String(json, StandardCharsets.UTF_8));
        int format = Json.getInt(root, FORMAT_VERSION_FIELD);
        if (format > FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "Cannot read commit delta: format_version "
                            + format
                            + " is newer than this connector reads");
        }
        List<HotSegmentRef> hot = new ArrayList<>();
        for (JsonNode node : Json.getArray(root, HOT_ADDED)) {
            hot.add(readHotSegment(node));
        }
        List<CommitDelta.ScopeFlush> flushes = new ArrayList<>();
        for (JsonNode node : Json.getArray(root, FLUSHES)) {
            JsonNode userId = node.get(USER_ID);
            List<SegmentEntry> added = new ArrayList<>();
            for (JsonNode segment : Json.getArray(node, ADDED)) {
                added.add(ScopeManifestParser.readSegment(segment, columnTypes));
            }
            flushes.add(
                    new CommitDelta.ScopeFlush(
                            userId == null || userId.isNull()
                                    ? ScopeId.SHARED
                                    : ScopeId.user(userId.asText()),
                            added,
                            Json.getLong(node, FLUSHED_THROUGH_SEQ),
                            Json.getOptionalString(node, STORAGE)));
        }
        JsonNode basis = root.get(BASIS_COMMIT);
        return new CommitDelta(
                Json.getString(root, WRITER_ID),
                Json.getLong(root, CHECKPOINT_ID),
                hot,
                flushes,
                basis == null || basis.isNull() ? -1 : basis.asLong());
    }
}
