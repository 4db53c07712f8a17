package dev.tiered.state.meta;

import dev.tiered.state.ScopeId;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

class MetadataParsersTest {
    private static final Map<Integer, LogicalType> TYPES =
            Map.of(
                    1, new BigIntType(false),
                    2, new VarCharType(VarCharType.MAX_LENGTH),
                    3, new DecimalType(20, 4),
                    4, new TimestampType(3),
                    5, new TimestampType(9),
                    6, new LocalZonedTimestampType(6),
                    7, new DateType(),
                    8, new VarBinaryType(10));
    private static final IntFunction<LogicalType> COLUMNS = TYPES::get;

    private static SegmentEntry segment() {
        return new SegmentEntry(
                "batch-3.parquet",
                "batch-3.parquet",
                100,
                200,
                24,
                2701,
                1_714_800_050_000L,
                Map.of(
                        1, new ColumnStats(258874983317667840L, 258874997628633089L, 0),
                        2,
                                new ColumnStats(
                                        StringData.fromString("alice"),
                                        StringData.fromString("zoë"),
                                        2),
                        3,
                                new ColumnStats(
                                        DecimalData.fromBigDecimal(
                                                new java.math.BigDecimal("-1.5000"), 20, 4),
                                        DecimalData.fromBigDecimal(
                                                new java.math.BigDecimal("99999.1234"), 20, 4),
                                        0),
                        4,
                                new ColumnStats(
                                        TimestampData.fromEpochMillis(-1),
                                        TimestampData.fromEpochMillis(1_714_800_050_123L),
                                        0),
                        5,
                                new ColumnStats(
                                        TimestampData.fromEpochMillis(5, 999_999),
                                        TimestampData.fromEpochMillis(-5, 1),
                                        0),
                        6, new ColumnStats(TimestampData.fromEpochMillis(1, 1000), null, 3),
                        7, new ColumnStats(19_000, 19_500, 0),
                        8, new ColumnStats(new byte[] {0, -1}, new byte[] {127}, 0)),
                2,
                SegmentEntry.COMMITTED);
    }

    @Test
    void manifestIsKalamDbShapedAndRoundTrips() {
        ScopeManifest manifest =
                new ScopeManifest(
                        "chat.messages",
                        "u_8f3k",
                        3,
                        1_714_800_000_000L,
                        1_714_800_100_000L,
                        List.of(segment()),
                        3,
                        17,
                        200);
        byte[] json = ScopeManifestParser.toJson(manifest, COLUMNS);
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text)
                .startsWith("{\"table_id\":\"chat.messages\",\"user_id\":\"u_8f3k\",\"version\":3,")
                .contains("\"column_stats\":{\"1\":{\"min\":{\"Int64\":\"258874983317667840\"}")
                .contains("{\"Utf8\":\"alice\"}")
                .contains(
                        "{\"TimestampMillisecond\":{\"value\":\"1714800050123\",\"timezone\":null}}")
                .contains("{\"TimestampMicrosecond\":{\"value\":\"1001\",\"timezone\":\"UTC\"}}")
                .contains("\"last_commit\":17,\"flushed_through_seq\":200");
        ScopeManifest back = ScopeManifestParser.fromJson(json, COLUMNS);
        assertThat(ScopeManifestParser.toJson(back, COLUMNS)).isEqualTo(json);
        assertThat(back.segments().get(0).columnStats().get(5).min())
                .isEqualTo(TimestampData.fromEpochMillis(5, 999_999));
        assertThat(back.segments().get(0).columnStats().get(8).min()).isEqualTo(new byte[] {0, -1});
        assertThat(back.version()).isEqualTo(3);
        assertThat(back.userId()).isEqualTo("u_8f3k");
    }

    @Test
    void sharedManifestHasNullUserId() {
        ScopeManifest shared = ScopeManifest.empty("app.config", null);
        String text =
                new String(ScopeManifestParser.toJson(shared, COLUMNS), StandardCharsets.UTF_8);
        assertThat(text).contains("\"user_id\":null");
        assertThat(ScopeManifestParser.fromJson(text.getBytes(StandardCharsets.UTF_8), COLUMNS))
                .isEqualTo(shared);
    }

    @Test
    void commitRecordAndTableStateRoundTrip() {
        CommitRecord record =
                new CommitRecord(
                        7,
                        "flush",
                        "job-1/sink",
                        42,
                        1_714_800_100_000L,
                        2,
                        200,
                        List.of(
                                new HotSegmentRef(
                                        "w0-42.parquet",
                                        "job-1/sink",
                                        42,
                                        150,
                                        200,
                                        10,
                                        999,
                                        List.of(ScopeId.SHARED, ScopeId.user("bob smith")))),
                        List.of("w0-41.parquet"),
                        List.of(
                                new ScopeChange(
                                        ScopeId.user("u_8f3k"),
                                        3,
                                        List.of(segment()),
                                        List.of("batch-1.parquet"),
                                        200,
                                        false)));
        byte[] json = CommitRecordParser.toJson(record, COLUMNS);
        CommitRecord back = CommitRecordParser.fromJson(json, COLUMNS);
        assertThat(CommitRecordParser.toJson(back, COLUMNS)).isEqualTo(json);
        assertThat(back.hotAdded()).isEqualTo(record.hotAdded());
        assertThat(back.scopeChanges().get(0).removedSegments()).containsExactly("batch-1.parquet");

        TableState state =
                new TableState(
                        7,
                        1_714_800_100_000L,
                        2,
                        200,
                        record.hotAdded(),
                        Map.of(
                                ScopeId.user("u_8f3k"),
                                new TableState.ScopeState(3, 7, 200),
                                ScopeId.SHARED,
                                new TableState.ScopeState(1, 2, 0)),
                        Map.of("job-1/sink", 42L));
        assertThat(TableStateParser.fromJson(TableStateParser.toJson(state))).isEqualTo(state);
        assertThat(state.scopeIds()).containsExactly(ScopeId.SHARED, ScopeId.user("u_8f3k"));
        assertThat(state.liveScopeIds())
                .as("scopes with a manifest, and those only in a live hot segment")
                .containsExactly(ScopeId.SHARED, ScopeId.user("bob smith"), ScopeId.user("u_8f3k"));
    }
}
