package dev.tiered.state;

import dev.tiered.state.testing.TestTables;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The whole option matrix of DESIGN §4, with KalamDB's exact messages. */
class TableOptionsValidationTest {

    private static final Set<String> STORAGES = Set.of("local", "s3_main", "cold-1");

    /** "k=v;k=v" -> options map, in order. */
    private static Map<String, String> opts(String spec) {
        Map<String, String> map = new LinkedHashMap<>();
        if (!spec.isEmpty()) {
            for (String pair : spec.split(";")) {
                int eq = pair.indexOf('=');
                map.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return map;
    }

    private static TableDefinition create(String spec, boolean withKey) {
        return TableDefinition.create(
                "chat",
                "messages",
                TestTables.messageColumns(),
                withKey ? List.of("id") : List.of(),
                opts(spec),
                STORAGES::contains);
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                // TYPE
                arguments(
                        "TYPE=TABLE",
                        "Invalid TYPE option 'TABLE'. Supported: USER, SHARED, STREAM"),
                arguments("type=usr", "Invalid TYPE option 'usr'. Supported: USER, SHARED, STREAM"),
                arguments("TYPE=SYSTEM", "Cannot create SYSTEM tables via SQL"),
                // STORAGE_ID
                arguments(
                        "STORAGE_ID=my storage",
                        "Invalid STORAGE_ID 'my storage'. Only alphanumeric, underscore, and hyphen allowed."),
                arguments(
                        "storage-id=a/b",
                        "Invalid STORAGE_ID 'a/b'. Only alphanumeric, underscore, and hyphen allowed."),
                arguments("STORAGE_ID=nowhere", "Storage 'nowhere' does not exist"),
                // FLUSH_POLICY grammar and ranges
                arguments(
                        "FLUSH_POLICY=1000",
                        "Invalid FLUSH_POLICY format '1000'. Expected 'key:value'"),
                arguments(
                        "FLUSH_POLICY=rows:10,60",
                        "Invalid FLUSH_POLICY format '60'. Expected 'key:value'"),
                arguments("FLUSH_POLICY=bytes:10", "Unknown FLUSH_POLICY key 'bytes'"),
                arguments(
                        "FLUSH_POLICY=rows:0",
                        "FLUSH_POLICY must specify 'rows' or 'interval' > 0"),
                arguments(
                        "FLUSH_POLICY=interval:0",
                        "FLUSH_POLICY must specify 'rows' or 'interval' > 0"),
                arguments("FLUSH_POLICY=rows:0,interval:60", "Row limit must be greater than 0"),
                arguments("FLUSH_POLICY=rows:10,interval:0", "Interval must be greater than 0"),
                arguments("FLUSH_POLICY=rows:1000000", "Row limit must be less than 1,000,000"),
                arguments(
                        "FLUSH_POLICY=rows:99999999999999999999999",
                        "Row limit must be less than 1,000,000"),
                arguments(
                        "FLUSH_POLICY=interval:86400",
                        "Interval must be less than 86400 seconds (24 hours)"),
                arguments("FLUSH_POLICY=rows:ten", "Invalid row limit in FLUSH_POLICY"),
                arguments("FLUSH_POLICY=rows:-1", "Invalid row limit in FLUSH_POLICY"),
                arguments("flush-policy=interval:1m", "Invalid interval in FLUSH_POLICY"),
                // Cross-option rules, in KalamDB's order
                arguments("TYPE=STREAM", "STREAM tables must specify 'TTL_SECONDS'"),
                arguments(
                        "TYPE=USER;TTL_SECONDS=10",
                        "TTL_SECONDS is only supported for STREAM tables"),
                arguments("TTL_SECONDS=10", "TTL_SECONDS is only supported for STREAM tables"),
                arguments(
                        "TYPE=USER;ACCESS_LEVEL=PUBLIC",
                        "ACCESS_LEVEL is only supported for SHARED tables"),
                arguments(
                        "TYPE=STREAM;TTL_SECONDS=5;access-level=DBA",
                        "ACCESS_LEVEL is only supported for SHARED tables"),
                arguments(
                        "TYPE=SHARED;USE_USER_STORAGE=true",
                        "USE_USER_STORAGE is only supported for USER tables"),
                arguments(
                        "TYPE=STREAM;TTL_SECONDS=5;use-user-storage=TRUE",
                        "USE_USER_STORAGE is only supported for USER tables"),
                // Order: TTL rule before ACCESS_LEVEL rule before USE_USER_STORAGE rule
                arguments(
                        "TYPE=USER;TTL_SECONDS=5;ACCESS_LEVEL=PUBLIC;USE_USER_STORAGE=true",
                        "TTL_SECONDS is only supported for STREAM tables"),
                arguments(
                        "TYPE=STREAM;ACCESS_LEVEL=PUBLIC",
                        "STREAM tables must specify 'TTL_SECONDS'"),
                arguments(
                        "TYPE=USER;ACCESS_LEVEL=PUBLIC;USE_USER_STORAGE=false",
                        "ACCESS_LEVEL is only supported for SHARED tables"),
                // Value parsing
                arguments(
                        "ACCESS_LEVEL=everyone",
                        "Invalid ACCESS_LEVEL 'everyone'. Supported: PUBLIC, PRIVATE, RESTRICTED, DBA"),
                arguments("TYPE=STREAM;TTL_SECONDS=soon", "Invalid TTL_SECONDS"),
                arguments("TYPE=STREAM;TTL_SECONDS=-5", "Invalid TTL_SECONDS"),
                arguments("TYPE=STREAM;TTL_SECONDS=0", "TTL_SECONDS must be greater than 0"),
                arguments(
                        "TYPE=USER;USE_USER_STORAGE=yes",
                        "Invalid USE_USER_STORAGE 'yes'. Expected true or false"),
                arguments(
                        "TYPE=STREAM;TTL_SECONDS=5;FLUSH_POLICY=rows:10",
                        "FLUSH_POLICY is not supported for STREAM tables: they are never flushed"),
                arguments(
                        "user-id.column=owner",
                        "'user-id.column' is only supported for USER tables"),
                arguments(
                        "TYPE=USER;type=USER",
                        "Cannot set option TYPE twice: both 'TYPE' and its alias 'type' are given"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rejected")
    void rejectsWithExactMessage(String options, String message) {
        assertThatThrownBy(() -> create(options, true))
                .isInstanceOf(TableValidationException.class)
                .hasMessage(message);
    }

    static Stream<Arguments> primaryKeyRules() {
        return Stream.of(
                arguments("TYPE=USER", "User tables require a PRIMARY KEY column"),
                arguments("TYPE=SHARED", "Shared tables require a PRIMARY KEY column"),
                arguments("", "Shared tables require a PRIMARY KEY column"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("primaryKeyRules")
    void userAndSharedTablesNeedAPrimaryKey(String options, String message) {
        assertThatThrownBy(() -> create(options, false)).hasMessage(message);
    }

    @Test
    void optionRulesComeBeforeThePrimaryKeyRule() {
        assertThatThrownBy(() -> create("TYPE=USER;TTL_SECONDS=1", false))
                .hasMessage("TTL_SECONDS is only supported for STREAM tables");
    }

    @Test
    void streamTablesMayOmitThePrimaryKey() {
        TableDefinition stream = create("TYPE=STREAM;TTL_SECONDS=10", false);
        assertThat(stream.primaryKey()).isEmpty();
        assertThat(stream.primaryKeyIndex()).isEqualTo(-1);
        assertThat(stream.options().ttlSeconds()).isEqualTo(10L);
        assertThat(stream.options().ttlMillis()).hasValue(10_000L);
    }

    @Test
    void compositeKeysAreRejected() {
        assertThatThrownBy(
                        () ->
                                TableDefinition.create(
                                        "chat",
                                        "messages",
                                        TestTables.messageColumns(),
                                        List.of("id", "conversation_id"),
                                        Map.of(),
                                        STORAGES::contains))
                .hasMessage("Composite PRIMARY KEYs are not supported yet");
    }

    @Test
    void defaultsAreSharedPrivateLocalWithoutFlushPolicy() {
        TableDefinition table = create("", true);
        assertThat(table.type()).isEqualTo(TableType.SHARED);
        assertThat(table.options().accessLevel()).isEqualTo(AccessLevel.PRIVATE);
        assertThat(table.options().storageId()).isEqualTo("local");
        assertThat(table.options().flushPolicyIfSet()).isEmpty();
        assertThat(table.options().userIdColumn()).isNull();
        assertThat(table.options().useUserStorage()).isFalse();
    }

    @Test
    void canonicalKeysAndAliasesMeanTheSame() {
        TableDefinition upper =
                create("TYPE=USER;FLUSH_POLICY=rows:1000,interval:60;STORAGE_ID=s3_main", true);
        TableDefinition lower =
                create("type=user;flush-policy=ROWS:1000, Interval:60;storage-id=s3_main", true);
        assertThat(lower.options()).isEqualTo(upper.options());
        assertThat(upper.options().flushPolicy()).isEqualTo(new FlushPolicy(1000, 60));
        assertThat(upper.options().userIdColumn()).isEqualTo("user_id");
    }

    @Test
    void sharedTableTakesAnAccessLevelAndUserTableUserStorage() {
        assertThat(create("ACCESS_LEVEL=public", true).options().accessLevel())
                .isEqualTo(AccessLevel.PUBLIC);
        assertThat(create("TYPE=USER;USE_USER_STORAGE=true", true).options().useUserStorage())
                .isTrue();
        // KalamDB only checks USE_USER_STORAGE=true, so false is accepted on any type.
        assertThat(create("TYPE=SHARED;USE_USER_STORAGE=false", true).options().useUserStorage())
                .isFalse();
    }

    @Test
    void userIdColumnMustExistAndBeAString() {
        assertThatThrownBy(() -> create("TYPE=USER;user-id.column=owner", true))
                .hasMessage(
                        "Cannot create table chat.messages: user id column 'owner' does not exist"
                                + " (set 'user-id.column')");
        assertThatThrownBy(() -> create("TYPE=USER;user-id.column=conversation_id", true))
                .hasMessage(
                        "Cannot create table chat.messages: user id column 'conversation_id' must be"
                                + " a STRING, not BIGINT");
    }

    @Test
    void namesAndColumnsAreChecked() {
        assertThatThrownBy(
                        () ->
                                TableDefinition.create(
                                        "chat-app",
                                        "messages",
                                        TestTables.messageColumns(),
                                        List.of("id"),
                                        Map.of(),
                                        STORAGES::contains))
                .hasMessage(
                        "Invalid namespace 'chat-app'. Only alphanumeric and underscore allowed.");
        assertThatThrownBy(
                        () ->
                                TableDefinition.create(
                                        "chat",
                                        "t",
                                        TestTables.columns("id BIGINT NOT NULL", "_seq BIGINT"),
                                        List.of("id"),
                                        Map.of(),
                                        STORAGES::contains))
                .hasMessage("Cannot create table chat.t: column name '_seq' is reserved");
        assertThatThrownBy(
                        () ->
                                TableDefinition.create(
                                        "chat",
                                        "t",
                                        TestTables.columns("id BIGINT NOT NULL", "ID INT"),
                                        List.of("id"),
                                        Map.of(),
                                        STORAGES::contains))
                .hasMessage(
                        "Cannot create table chat.t: duplicate column name 'ID' (column names are"
                                + " case-insensitive)");
        assertThatThrownBy(
                        () ->
                                TableDefinition.create(
                                        "chat",
                                        "t",
                                        TestTables.columns(
                                                "id BIGINT NOT NULL", "tags ARRAY<STRING>"),
                                        List.of("id"),
                                        Map.of(),
                                        STORAGES::contains))
                .hasMessageStartingWith(
                        "Cannot create table chat.t: column 'tags' has type ARRAY<STRING>, which"
                                + " tiered tables do not store");
    }

    @Test
    void fieldDefaultsAreCheckedAgainstTheColumns() {
        TableDefinition table =
                create(
                        "TYPE=USER;fields.created_at.default=now();fields.conversation_id.default=SNOWFLAKE_ID();fields.content.default=hello",
                        true);
        assertThat(table.fieldDefaults().get("created_at")).isEqualTo(new FieldDefault.Now());
        assertThat(table.fieldDefaults().get("conversation_id"))
                .isEqualTo(new FieldDefault.SnowflakeId());
        assertThat(table.fieldDefaults().get("content")).isInstanceOf(FieldDefault.Literal.class);

        assertThatThrownBy(() -> create("fields.nope.default=1", true))
                .hasMessage(
                        "Cannot set default of column 'nope' in table chat.messages: no such column");
        assertThatThrownBy(() -> create("fields.id.default=SNOWFLAKE_ID()", true))
                .hasMessageStartingWith(
                        "Cannot set default of column 'id' in table chat.messages: key columns take"
                                + " no default");
        assertThatThrownBy(() -> create("fields.content.default=NOW()", true))
                .hasMessage(
                        "Cannot set default of column 'content' in table chat.messages: NOW() fills"
                                + " TIMESTAMP and TIMESTAMP_LTZ columns only");
        assertThatThrownBy(() -> create("fields.created_at.default=SNOWFLAKE_ID()", true))
                .hasMessage(
                        "Cannot set default of column 'created_at' in table chat.messages:"
                                + " SNOWFLAKE_ID() fills BIGINT columns only");
        assertThatThrownBy(() -> create("fields.conversation_id.default=twelve", true))
                .hasMessage(
                        "Cannot set default of column 'conversation_id' in table chat.messages:"
                                + " 'twelve' is not a valid BIGINT");
    }

    @Test
    void optionMapRoundTripsThroughParse() {
        TableDefinition table =
                create(
                        "type=user;flush-policy=interval:30,rows:5;fields.created_at.default=NOW();sink.bad-rows=skip",
                        true);
        Map<String, String> map = table.toOptionMap();
        assertThat(map)
                .containsEntry("TYPE", "USER")
                .containsEntry("FLUSH_POLICY", "rows:5,interval:30")
                .containsEntry("user-id.column", "user_id")
                .containsEntry("fields.created_at.default", "NOW()")
                .containsEntry("sink.bad-rows", "skip");
        assertThat(TableOptions.parse(map, STORAGES::contains)).isEqualTo(table.options());
        assertThat(table.properties()).containsOnlyKeys("sink.bad-rows");
    }
}
