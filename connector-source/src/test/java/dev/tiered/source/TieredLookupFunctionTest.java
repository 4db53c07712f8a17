package dev.tiered.source;

import dev.tiered.source.testing.EngineWriter;
import dev.tiered.source.testing.Messages;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.testing.ManualClock;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static dev.tiered.source.testing.EngineWriter.delete;
import static dev.tiered.source.testing.EngineWriter.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lookups return current values, see a change once its commit is followed, never return an expired
 * STREAM entry, and count cache hits and misses.
 */
class TieredLookupFunctionTest {
    private static final long T0 = 1_763_600_000_000L;
    private static final ScopeId ALICE = ScopeId.user("user1");
    private static final ScopeId BOB = ScopeId.user("user2");

    @TempDir File warehouse;
    private final ManualClock clock = new ManualClock(T0);

    private static RowData message(long id, String content) {
        return Messages.row(RowKind.INSERT, id, content);
    }

    private static List<String> contents(Collection<RowData> rows, int pos) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.getString(pos).toString()));
        return out;
    }

    private static RowData key(long id, String user) {
        return user == null
                ? GenericRowData.of(id)
                : GenericRowData.of(id, StringData.fromString(user));
    }

    private TieredLookupFunction open(TieredLookupFunction.Builder builder) throws Exception {
        TieredLookupFunction function = builder.withClock(clock).build();
        function.open(new FunctionContext(null));
        return function;
    }

    @Test
    void returnsCurrentValuesAndSeesAChangeAfterItsCommit() throws Exception {
        TieredTable table = Messages.createTable(warehouse, "rows:1000");
        EngineWriter writer = new EngineWriter(table, clock);
        writer.commit(upsert(ALICE, message(1, "a1")), upsert(BOB, message(2, "b1")));

        Configuration options = new Configuration();
        options.set(LookupOptions.REFRESH_INTERVAL, Duration.ZERO);
        TieredLookupFunction function =
                open(
                        TieredLookupFunction.forTable(
                                        warehouse.toURI().toString(),
                                        Messages.TABLE,
                                        "id",
                                        "user_id")
                                .selectColumns("id", "content")
                                .withOptions(options));

        assertThat(contents(function.lookup(key(1, "user1")), 1)).containsExactly("a1");
        assertThat(contents(function.lookup(key(1, "user1")), 1)).containsExactly("a1");
        assertThat(function.lookup(key(1, "user2"))).as("another user's scope").isEmpty();
        assertThat(function.hitCount()).isEqualTo(1);
        assertThat(function.missCount()).isEqualTo(2);

        clock.advance(5);
        writer.commit(upsert(ALICE, message(1, "a2")), delete(BOB, message(2, null)));
        assertThat(contents(function.lookup(key(1, "user1")), 1)).containsExactly("a2");
        assertThat(function.lookup(key(2, "user2"))).as("deleted").isEmpty();
        assertThat(function.lookup(key(1, "user2"))).isEmpty();
        assertThat(function.missCount())
                .as("the cached entries of changed keys were dropped")
                .isEqualTo(4);

        TieredLookupFunction byKeyOnly =
                open(
                        TieredLookupFunction.forTable(
                                        warehouse.toURI().toString(), Messages.TABLE, "id")
                                .withOptions(options));
        assertThat(contents(byKeyOnly.lookup(key(1, null)), 3)).containsExactly("a2");
        function.close();
        byKeyOnly.close();
    }

    @Test
    void aChangeIsSeenOnceTheRefreshIntervalFollowsItsCommit() throws Exception {
        TieredTable table = Messages.createTable(warehouse, "rows:1000");
        EngineWriter writer = new EngineWriter(table, clock);
        writer.commit(upsert(ALICE, message(1, "a1")));
        TieredLookupFunction function =
                open(
                        TieredLookupFunction.forTable(
                                warehouse.toURI().toString(), Messages.TABLE, "user_id", "id"));

        assertThat(
                        contents(
                                function.lookup(
                                        GenericRowData.of(StringData.fromString("user1"), 1L)),
                                3))
                .containsExactly("a1");
        writer.commit(upsert(ALICE, message(1, "a2")));
        clock.advance(999);
        assertThat(
                        contents(
                                function.lookup(
                                        GenericRowData.of(StringData.fromString("user1"), 1L)),
                                3))
                .as("served from the cache within the refresh interval")
                .containsExactly("a1");
        clock.advance(1);
        assertThat(
                        contents(
                                function.lookup(
                                        GenericRowData.of(StringData.fromString("user1"), 1L)),
                                3))
                .containsExactly("a2");
    }

    @Test
    void neverReturnsAnExpiredStreamEntry() throws Exception {
        TableDefinition events =
                TableDefinition.create(
                        "app",
                        "events",
                        TestTables.columns("id BIGINT NOT NULL", "payload STRING"),
                        List.of("id"),
                        Map.of("TYPE", "STREAM", "TTL_SECONDS", "10"),
                        id -> true);
        TieredTable table =
                TieredTable.create(new FlinkFileIO(), Path.fromLocalFile(warehouse), events);
        EngineWriter writer = new EngineWriter(table, clock);
        writer.commit(upsert(ScopeId.SHARED, GenericRowData.of(1L, StringData.fromString("e1"))));
        clock.advance(6_000);
        writer.commit(upsert(ScopeId.SHARED, GenericRowData.of(2L, StringData.fromString("e2"))));

        TieredLookupFunction function =
                open(
                        TieredLookupFunction.forTable(
                                warehouse.toURI().toString(), "app.events", "id"));
        assertThat(contents(function.lookup(GenericRowData.of(1L)), 1)).containsExactly("e1");
        assertThat(contents(function.lookup(GenericRowData.of(2L)), 1)).containsExactly("e2");

        clock.set(T0 + 10_000); // event 1 is exactly TTL old
        assertThat(function.lookup(GenericRowData.of(1L))).as("cached, but expired").isEmpty();
        assertThat(contents(function.lookup(GenericRowData.of(2L)), 1)).containsExactly("e2");
        clock.set(T0 + 16_000);
        assertThat(function.lookup(GenericRowData.of(2L))).isEmpty();

        TieredLookupFunction fresh =
                open(
                        TieredLookupFunction.forTable(
                                warehouse.toURI().toString(), "app.events", "id"));
        assertThat(fresh.lookup(GenericRowData.of(1L))).as("not cached, expired").isEmpty();
    }

    @Test
    void lookupKeysMustBeThePrimaryKeyAndUserId() throws Exception {
        Messages.createTable(warehouse, "rows:10");
        String uri = warehouse.toURI().toString();
        assertThatThrownBy(
                        () -> TieredLookupFunction.forTable(uri, Messages.TABLE, "user_id").build())
                .hasMessage(
                        "Cannot build lookup function of chat.messages: the lookup keys [user_id]"
                                + " must include 'id'");
        assertThatThrownBy(
                        () ->
                                TieredLookupFunction.forTable(uri, Messages.TABLE, "id", "content")
                                        .build())
                .hasMessage(
                        "Cannot build lookup function of chat.messages: lookups are by primary key"
                                + " and user id ('user_id'), not by 'content'");
    }
}
