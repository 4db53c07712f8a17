package dev.tiered.state.testing;

import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Table shapes the tests share: the seed's chat.messages, app.config and chat.typing_events. */
public final class TestTables {
    private TestTables() {}

    /** Columns from {@code "name TYPE"} pairs, e.g. {@code columns("id BIGINT NOT NULL", ...)}. */
    public static List<Map.Entry<String, LogicalType>> columns(String... definitions) {
        List<Map.Entry<String, LogicalType>> columns = new ArrayList<>();
        for (String definition : definitions) {
            int space = definition.indexOf(' ');
            columns.add(
                    new AbstractMap.SimpleImmutableEntry<>(
                            definition.substring(0, space),
                            LogicalTypeParser.parse(
                                    definition.substring(space + 1),
                                    TestTables.class.getClassLoader())));
        }
        return columns;
    }

    /** chat.messages: the seed's USER table. */
    public static List<Map.Entry<String, LogicalType>> messageColumns() {
        return columns(
                "id BIGINT NOT NULL",
                "user_id STRING",
                "conversation_id BIGINT",
                "content STRING",
                "created_at TIMESTAMP(3)");
    }
}
