package dev.tiered.state;

import dev.tiered.state.testing.TestTables;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ALTER TABLE: new versions keep the columns and ids, add nullable columns, keep the identity. */
class TableDefinitionEvolveTest {
    private static final Map<String, String> OPTIONS =
            Map.of("TYPE", "USER", "FLUSH_POLICY", "rows:10");

    private static TableDefinition v1() {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.columns("id BIGINT NOT NULL", "user_id STRING", "content STRING"),
                List.of("id"),
                OPTIONS,
                id -> true);
    }

    @Test
    void addsColumnsWithNewIdsAndReplacesOptions() {
        TableDefinition v2 =
                v1().evolve(
                                TestTables.columns(
                                        "id BIGINT NOT NULL",
                                        "user_id STRING",
                                        "content STRING",
                                        "edited_at TIMESTAMP(3)"),
                                List.of("id"),
                                Map.of(
                                        "TYPE",
                                        "USER",
                                        "FLUSH_POLICY",
                                        "rows:500",
                                        "compaction.max-files",
                                        "4"),
                                id -> true);
        assertThat(v2.schemaVersion()).isEqualTo(2);
        assertThat(v2.columns()).extracting(Column::id).containsExactly(1, 2, 3, 4);
        assertThat(v2.column("edited_at")).isPresent();
        assertThat(v2.options().flushPolicy().rows()).isEqualTo(500);
        assertThat(v2.properties()).containsEntry("compaction.max-files", "4");
    }

    @Test
    void refusesChangesToExistingColumnsKeyAndIdentity() {
        TableDefinition v1 = v1();
        assertThatThrownBy(
                        () ->
                                v1.evolve(
                                        TestTables.columns("id BIGINT NOT NULL", "user_id STRING"),
                                        List.of("id"),
                                        OPTIONS,
                                        id -> true))
                .isInstanceOf(TableValidationException.class)
                .hasMessage("Cannot alter table chat.messages: columns cannot be dropped");
        assertThatThrownBy(
                        () ->
                                v1.evolve(
                                        TestTables.columns(
                                                "id BIGINT NOT NULL",
                                                "user_id STRING",
                                                "content INT"),
                                        List.of("id"),
                                        OPTIONS,
                                        id -> true))
                .hasMessage(
                        "Cannot alter table chat.messages: column 'content' cannot be dropped,"
                                + " renamed or retyped (only new columns can be added at the end)");
        assertThatThrownBy(
                        () ->
                                v1.evolve(
                                        TestTables.columns(
                                                "id BIGINT NOT NULL",
                                                "user_id STRING",
                                                "content STRING",
                                                "n INT NOT NULL"),
                                        List.of("id"),
                                        OPTIONS,
                                        id -> true))
                .hasMessage(
                        "Cannot alter table chat.messages: new column 'n' must be nullable (older"
                                + " rows read it as NULL)");
        assertThatThrownBy(
                        () ->
                                v1.evolve(
                                        TestTables.columns(
                                                "id BIGINT NOT NULL",
                                                "user_id STRING NOT NULL",
                                                "content STRING"),
                                        List.of("id"),
                                        OPTIONS,
                                        id -> true))
                .hasMessageContaining("column 'user_id' cannot be dropped, renamed or retyped");
        assertThatThrownBy(
                        () ->
                                v1.evolve(
                                        TestTables.columns(
                                                "id BIGINT NOT NULL",
                                                "user_id STRING",
                                                "content STRING"),
                                        List.of(),
                                        OPTIONS,
                                        id -> true))
                .hasMessage("Cannot alter table chat.messages: the primary key cannot change");
        assertThatThrownBy(
                        () ->
                                v1.evolve(
                                        TestTables.columns(
                                                "id BIGINT NOT NULL",
                                                "user_id STRING",
                                                "content STRING"),
                                        List.of("id"),
                                        Map.of("type", "shared"),
                                        id -> true))
                .hasMessage(
                        "Cannot alter table chat.messages: TYPE, STORAGE_ID and 'user-id.column'"
                                + " cannot change");
    }
}
