package dev.tiered.table.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code sql} code blocks of a Markdown page, split into statements. */
public final class SqlScript {
    private SqlScript() {}

    /** Every statement of every {@code ```sql} block, in order, comments removed. */
    public static List<String> statements(Path markdown) throws IOException {
        List<String> statements = new ArrayList<>();
        boolean inSql = false;
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(markdown, StandardCharsets.UTF_8)) {
            if (!inSql) {
                inSql = line.trim().equals("```sql");
                continue;
            }
            if (line.trim().equals("```")) {
                if (!current.toString().isBlank()) {
                    throw new IllegalStateException(
                            "SQL block ends without ';' after: " + current.toString().trim());
                }
                inSql = false;
                continue;
            }
            String code = line.startsWith("--") ? "" : line;
            current.append(code).append('\n');
            if (code.trim().endsWith(";")) {
                String statement = current.toString().trim();
                statements.add(statement.substring(0, statement.length() - 1));
                current.setLength(0);
            }
        }
        return statements;
    }

    /** The docs directory of the repository (tests run in the module directory). */
    public static Path docs() {
        Path docs = Path.of("..", "docs");
        if (!Files.isDirectory(docs)) {
            throw new IllegalStateException(
                    "Cannot find docs/ from " + Path.of("").toAbsolutePath());
        }
        return docs;
    }
}
