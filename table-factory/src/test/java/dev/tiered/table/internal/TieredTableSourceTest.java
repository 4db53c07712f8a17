package dev.tiered.table.internal;

import dev.tiered.state.TableDefinition;
import dev.tiered.table.AccessDeniedException;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinition;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TieredTableSourceTest {
    private static final TableDefinition MESSAGES =
            TableDefinition.create(
                    "chat",
                    "messages",
                    List.of(
                            Map.entry("id", (LogicalType) new BigIntType()),
                            new AbstractMap.SimpleImmutableEntry<>(
                                    "user_id", new VarCharType(VarCharType.MAX_LENGTH)),
                            new AbstractMap.SimpleImmutableEntry<>(
                                    "content", new VarCharType(VarCharType.MAX_LENGTH))),
                    List.of("id"),
                    Map.of("TYPE", "USER"),
                    "local"::equals);
    private static final List<String> COLUMNS = List.of("id", "user_id", "content");

    private static TieredTableSource source(Session session, boolean bounded) {
        return new TieredTableSource(
                "file:///nowhere", MESSAGES, COLUMNS, session, bounded, new Configuration());
    }

    private static ResolvedExpression call(
            BuiltInFunctionDefinition f, ResolvedExpression a, ResolvedExpression b) {
        return CallExpression.permanent(f, List.of(a, b), DataTypes.BOOLEAN());
    }

    private static FieldReferenceExpression id() {
        return new FieldReferenceExpression("id", DataTypes.BIGINT(), 0, 0);
    }

    private static FieldReferenceExpression userId() {
        return new FieldReferenceExpression("user_id", DataTypes.STRING(), 0, 1);
    }

    @Test
    void userEqualityIsExactAndKeyComparisonsAreBestEffort() {
        TieredTableSource source = source(Session.UNRESTRICTED, true);
        ResolvedExpression user =
                call(
                        BuiltInFunctionDefinitions.EQUALS,
                        new ValueLiteralExpression("alice"),
                        userId());
        ResolvedExpression range =
                call(
                        BuiltInFunctionDefinitions.AND,
                        call(
                                BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL,
                                id(),
                                new ValueLiteralExpression(2L)),
                        call(
                                BuiltInFunctionDefinitions.LESS_THAN,
                                id(),
                                new ValueLiteralExpression(9L)));
        // An INT literal against the BIGINT key.
        ResolvedExpression flipped =
                call(BuiltInFunctionDefinitions.GREATER_THAN, new ValueLiteralExpression(5), id());
        ResolvedExpression other =
                call(
                        BuiltInFunctionDefinitions.EQUALS,
                        new FieldReferenceExpression("content", DataTypes.STRING(), 0, 2),
                        new ValueLiteralExpression("x"));

        SupportsFilterPushDown.Result result =
                source.applyFilters(List.of(user, range, flipped, other));

        assertThat(result.getAcceptedFilters()).containsExactly(user, range, flipped);
        assertThat(result.getRemainingFilters()).containsExactly(range, flipped, other);
        assertThat(source.user()).isEqualTo("alice");
        assertThat(source.keyLower()).isEqualTo(2L);
        assertThat(source.keyUpper()).as("5 > id is id < 5, tighter than 9").isEqualTo(5L);

        TieredTableSource copy = (TieredTableSource) source.copy();
        assertThat(copy.user()).isEqualTo("alice");
        assertThat(copy.keyLower()).isEqualTo(2L);
        assertThat(copy.keyUpper()).isEqualTo(5L);
    }

    @Test
    void aSecondUserIsLeftToTheFilter() {
        TieredTableSource source = source(Session.UNRESTRICTED, true);
        ResolvedExpression alice =
                call(BuiltInFunctionDefinitions.EQUALS, userId(), new ValueLiteralExpression("a"));
        ResolvedExpression bob =
                call(BuiltInFunctionDefinitions.EQUALS, userId(), new ValueLiteralExpression("b"));
        SupportsFilterPushDown.Result result = source.applyFilters(List.of(alice, bob));
        assertThat(result.getAcceptedFilters()).containsExactly(alice);
        assertThat(result.getRemainingFilters()).containsExactly(bob);
    }

    @Test
    void aUserSessionReadsOnlyItsOwnScope() {
        Session alice = new Session(Session.Role.USER, "alice");
        TieredTableSource source = source(alice, true);
        assertThat(source.user()).as("forced without any filter").isEqualTo("alice");
        ResolvedExpression own =
                call(
                        BuiltInFunctionDefinitions.EQUALS,
                        userId(),
                        new ValueLiteralExpression("alice"));
        assertThat(source.applyFilters(List.of(own)).getAcceptedFilters()).containsExactly(own);

        ResolvedExpression bob =
                call(
                        BuiltInFunctionDefinitions.EQUALS,
                        userId(),
                        new ValueLiteralExpression("bob"));
        assertThatThrownBy(() -> source(alice, true).applyFilters(List.of(bob)))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage(
                        "Access denied: user 'alice' cannot read rows of user 'bob' in chat.messages");
    }

    @Test
    void changelogModeFollowsRuntimeModeAndKey() {
        assertThat(source(Session.UNRESTRICTED, true).getChangelogMode())
                .isEqualTo(ChangelogMode.insertOnly());
        assertThat(source(Session.UNRESTRICTED, false).getChangelogMode())
                .isEqualTo(ChangelogMode.upsert(true));
    }

    @Test
    void projectionNamesTheProducedColumns() {
        TieredTableSource source = source(Session.UNRESTRICTED, true);
        source.applyProjection(new int[][] {{2}, {0}}, DataTypes.ROW());
        assertThat(source.columns()).containsExactly("content", "id");
    }
}
