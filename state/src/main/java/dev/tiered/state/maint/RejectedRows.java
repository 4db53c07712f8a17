package dev.tiered.state.maint;

import dev.tiered.state.TieredTable;

import org.apache.flink.core.fs.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The dead letters of a table ({@code _rejected/*.jsonl}, one JSON object per rejected row with the
 * row's values as text under {@code row}) without one user's rows: erase must not leave the user
 * there either. A line that does not parse is kept (it cannot be attributed).
 */
final class RejectedRows {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RejectedRows() {}

    /** Rewrites the files holding the user's rows; returns how many files were rewritten. */
    static int scrub(TieredTable table, String userId) throws IOException {
        String column = table.definition().options().userIdColumn();
        Path dir = table.layout().rejectedDir();
        int rewritten = 0;
        for (String name : table.io().list(dir)) {
            if (!name.endsWith(".jsonl")) {
                continue;
            }
            Path file = new Path(dir, name);
            String content = new String(table.io().read(file), StandardCharsets.UTF_8);
            StringBuilder kept = new StringBuilder(content.length());
            boolean dropped = false;
            for (String line : content.split("\n", -1)) {
                if (line.isBlank()) {
                    continue;
                }
                if (belongsTo(line, column, userId)) {
                    dropped = true;
                } else {
                    kept.append(line).append('\n');
                }
            }
            if (dropped) {
                if (kept.length() == 0) {
                    table.io().delete(file);
                } else {
                    table.io().overwrite(file, kept.toString().getBytes(StandardCharsets.UTF_8));
                }
                rewritten++;
            }
        }
        return rewritten;
    }

    private static boolean belongsTo(String line, String column, String userId) {
        try {
            JsonNode row = MAPPER.readTree(line).get("row");
            JsonNode value = row == null ? null : row.get(column);
            return value != null && userId.equals(value.asText());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
