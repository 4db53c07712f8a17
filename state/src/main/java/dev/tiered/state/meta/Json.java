package dev.tiered.state.meta;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers for the hand-written metadata parsers: typed reads that name what is missing. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonFactory FACTORY = MAPPER.getFactory();

    private Json() {}

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot parse JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("Cannot parse missing field: " + field);
        }
        return value;
    }

    static String getString(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("Cannot parse string from non-text field: " + field);
        }
        return value.asText();
    }

    /** The text of an optional string field, or null if absent or null. */
    static String getOptionalString(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static int getInt(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.canConvertToInt()) {
            throw new IllegalArgumentException("Cannot parse int from field: " + field);
        }
        return value.asInt();
    }

    static long getLong(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.canConvertToLong()) {
            throw new IllegalArgumentException("Cannot parse long from field: " + field);
        }
        return value.asLong();
    }

    static JsonNode getArray(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isArray()) {
            throw new IllegalArgumentException("Cannot parse array from field: " + field);
        }
        return value;
    }

    static Map<String, String> getStringMap(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isObject()) {
            throw new IllegalArgumentException("Cannot parse object from field: " + field);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            map.put(entry.getKey(), entry.getValue().asText());
        }
        return map;
    }

    static void writeStringMap(JsonGenerator gen, String field, Map<String, String> map)
            throws IOException {
        gen.writeObjectFieldStart(field);
        for (Map.Entry<String, String> entry : map.entrySet()) {
            gen.writeStringField(entry.getKey(), entry.getValue());
        }
        gen.writeEndObject();
    }
}
