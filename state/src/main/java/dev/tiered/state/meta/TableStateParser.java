package dev.tiered.state.meta;

import dev.tiered.state.ScopeId;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes folded table states: the log checkpoints {@code _log/<N>.checkpoint.json}. */
public final class TableStateParser {
    public static final int FORMAT_VERSION = 1;

    private static final String FORMAT_VERSION_FIELD = "format_version";
    private static final String COMMIT = "commit";
    private static final String TIMESTAMP_MS = "timestamp_ms";
    private static final String SCHEMA_VERSION = "schema_version";
    private static final String MAX_SEQ = "max_seq";
    private static final String HOT_SEGMENTS = "hot_segments";
    private static final String SCOPES = "scopes";
    private static final String USER_ID = "user_id";
    private static final String VERSION = "version";
    private static final String LAST_COMMIT = "last_commit";
    private static final String FLUSHED_THROUGH_SEQ = "flushed_through_seq";
    private static final String WRITERS = "writers";

    private TableStateParser() {}

    public static byte[] toJson(TableState state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeNumberField(FORMAT_VERSION_FIELD, FORMAT_VERSION);
            gen.writeNumberField(COMMIT, state.commit());
            gen.writeNumberField(TIMESTAMP_MS, state.timestampMillis());
            gen.writeNumberField(SCHEMA_VERSION, state.schemaVersion());
            gen.writeNumberField(MAX_SEQ, state.maxSeq());
            gen.writeArrayFieldStart(HOT_SEGMENTS);
            for (HotSegmentRef hot : state.hotSegments()) {
                CommitRecordParser.writeHotSegment(gen, hot);
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart(SCOPES);
            for (ScopeId scope : state.scopeIds()) {
                TableState.ScopeState scopeState = state.scope(scope);
                gen.writeStartObject();
                gen.writeStringField(USER_ID, scope.userId());
                gen.writeNumberField(VERSION, scopeState.version());
                gen.writeNumberField(LAST_COMMIT, scopeState.lastCommit());
                gen.writeNumberField(FLUSHED_THROUGH_SEQ, scopeState.flushedThroughSeq());
                if (scopeState.storage() != null) {
                    gen.writeStringField(CommitRecordParser.STORAGE, scopeState.storage());
                }
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeObjectFieldStart(WRITERS);
            for (Map.Entry<String, Long> writer : new TreeMap<>(state.writers()).entrySet()) {
                gen.writeNumberField(writer.getKey(), writer.getValue());
            }
            gen.writeEndObject();
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static TableState fromJson(byte[] json) {
        JsonNode root = Json.parse(new String(json, StandardCharsets.UTF_8));
        int format = Json.getInt(root, FORMAT_VERSION_FIELD);
        if (format > FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "Cannot read log checkpoint: format_version "
                            + format
                            + " is newer than this connector reads");
        }
        List<HotSegmentRef> hot = new ArrayList<>();
        for (JsonNode node : Json.getArray(root, HOT_SEGMENTS)) {
            hot.add(CommitRecordParser.readHotSegment(node));
        }
        Map<ScopeId, TableState.ScopeState> scopes = new HashMap<>();
        for (JsonNode node : Json.getArray(root, SCOPES)) {
            JsonNode userId = node.get(USER_ID);
            scopes.put(
                    userId == null || userId.isNull()
                            ? ScopeId.SHARED
                            : ScopeId.user(userId.asText()),
                    new TableState.ScopeState(
                            Json.getLong(node, VERSION),
                            Json.getLong(node, LAST_COMMIT),
                            Json.getLong(node, FLUSHED_THROUGH_SEQ),
                            Json.getOptionalString(node, CommitRecordParser.STORAGE)));
        }
        Map<String, Long> writers = new HashMap<>();
        root.get(WRITERS)
                .fields()
                .forEachRemaining(e -> writers.put(e.getKey(), e.getValue().asLong()));
        return new TableState(
                Json.getLong(root, COMMIT),
                Json.getLong(root, TIMESTAMP_MS),
                Json.getInt(root, SCHEMA_VERSION),
                Json.getLong(root, MAX_SEQ),
                hot,
                scopes,
                writers);
    }
}
