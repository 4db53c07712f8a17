package dev.tiered.source;

import dev.tiered.source.testing.Messages;
import dev.tiered.source.testing.TrackingFileSystem;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded reads on a MiniCluster over data written by a real {@code TieredSink} job: merged reads
 * of both tiers, the user filter, projection, time travel, key ranges and limits.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TieredSourceITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @TempDir static File warehouse;

    /** The table after round 0 (flushed to batches). */
    static final Map<Long, String> AFTER_ROUND_0 = Messages.model();

    /** The table after round 1 (hot only, over the batches). */
    static final Map<Long, String> AFTER_ROUND_1 = Messages.model();

    static long round0Commit;

    @BeforeAll
    static void writeBothTiers() throws Exception {
        FileSystem.initialize(new Configuration(), null);
        var definition = Messages.definition("rows:100000,interval:3600");
        // Round 0: keys 0..1999, flushed to batches at the end.
        Messages.write(warehouse, definition, 0, 3, 0, 2000, true);
        Messages.apply(AFTER_ROUND_0, 0, 3, 0, 2000);
        round0Commit = table().log().latestCommit();
        // Round 1: updates keys 1000..2499 (new keys from 2000), deletes i%10==7; stays hot.
        Messages.write(warehouse, definition, 1, 7, 1000, 2500, false);
        AFTER_ROUND_1.putAll(AFTER_ROUND_0);
        Messages.apply(AFTER_ROUND_1, 1, 7, 1000, 2500);
    }

    static TieredTable table() throws Exception {
        return TieredTable.open(
                new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages");
    }

    private static List<RowData> read(TieredSourceBuilder<RowData> builder, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        TieredSource<RowData> source = builder.build();
        List<RowData> rows = new ArrayList<>();
        try (CloseableIterator<RowData> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "tiered")
                        .executeAndCollect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    private static Map<Long, String> byId(List<RowData> rows, int idPos, int contentPos) {
        Map<Long, String> map = new TreeMap<>();
        for (RowData row : rows) {
            String previous = map.put(row.getLong(idPos), row.getString(contentPos).toString());
            assertThat(previous).as("key %d read once", row.getLong(idPos)).isNull();
        }
        return map;
    }

    private static TieredSourceBuilder<RowData> source() {
        return TieredSource.forRowData(warehouse.toURI().toString(), Messages.TABLE);
    }

    @Test
    void boundedReadMergesBatchesAndHotSegments() throws Exception {
        TableState state = table().latestState();
        assertThat(state.hotSegments()).as("round 1 is hot").isNotEmpty();
        assertThat(state.scopeIds()).as("round 0 is in batches").hasSize(Messages.USERS);

        List<RowData> rows = read(source(), 3);

        assertThat(byId(rows, 0, 3)).isEqualTo(AFTER_ROUND_1);
        for (RowData row : rows) {
            assertThat(row.getString(1).toString()).isEqualTo(Messages.user(row.getLong(0)));
        }
    }

    @Test
    void timeTravelReadsTheTableAsOfACommit() throws Exception {
        assertThat(byId(read(source().atCommit(round0Commit), 2), 0, 3)).isEqualTo(AFTER_ROUND_0);

        long round0Time = table().log().read(round0Commit).timestampMillis();
        assertThat(byId(read(source().atTimestamp(round0Time), 2), 0, 3)).isEqualTo(AFTER_ROUND_0);
        assertThat(read(source().atCommit(0), 1)).isEmpty();
    }

    @Test
    void userFilterOpensOnlyThatUsersFiles() throws Exception {
        TableState state = table().latestState();
        List<String> segmentsOfUser1 = new ArrayList<>();
        for (HotSegmentRef hot : state.hotSegments()) {
            if (hot.scopes().contains(dev.tiered.state.ScopeId.user("user1"))) {
                segmentsOfUser1.add(hot.path());
            }
        }
        TrackingFileSystem.reset();
        List<RowData> rows =
                read(
                        TieredSource.forRowData(TrackingFileSystem.uriOf(warehouse), Messages.TABLE)
                                .forUser("user1"),
                        2);

        Map<Long, String> expected = new TreeMap<>();
        AFTER_ROUND_1.forEach(
                (id, content) -> {
                    if (Messages.user(id).equals("user1")) {
                        expected.put(id, content);
                    }
                });
        assertThat(byId(rows, 0, 3)).isEqualTo(expected);

        String tableDir = new File(warehouse, "chat/messages").getAbsolutePath();
        List<String> dataFiles = new ArrayList<>();
        for (String opened : TrackingFileSystem.opened()) {
            if (opened.endsWith(".parquet") || opened.contains("/_hot/")) {
                dataFiles.add(opened);
            }
        }
        assertThat(dataFiles).isNotEmpty();
        for (String file : dataFiles) {
            if (file.endsWith(".parquet")) {
                assertThat(file).startsWith(tableDir + "/user1/");
            } else {
                assertThat(segmentsOfUser1).contains(new File(file).getName());
            }
        }
        for (String opened : TrackingFileSystem.opened()) {
            for (int u = 0; u < Messages.USERS; u++) {
                if (u != 1) {
                    assertThat(opened).doesNotStartWith(tableDir + "/user" + u + "/");
                }
            }
        }
    }

    @Test
    void projectionProducesAndReadsOnlyTheSelectedColumns() throws Exception {
        TrackingFileSystem.reset();
        List<RowData> all =
                read(
                        TieredSource.forRowData(TrackingFileSystem.uriOf(warehouse), Messages.TABLE)
                                .atCommit(round0Commit),
                        1);
        long bytesAll = TrackingFileSystem.bytesRead();

        TrackingFileSystem.reset();
        List<RowData> projected =
                read(
                        TieredSource.forRowData(TrackingFileSystem.uriOf(warehouse), Messages.TABLE)
                                .atCommit(round0Commit)
                                .selectColumns("content", "id"),
                        1);
        long bytesProjected = TrackingFileSystem.bytesRead();

        assertThat(projected).hasSameSizeAs(all);
        Map<Long, String> fromProjected = new HashMap<>();
        for (RowData row : projected) {
            assertThat(row.getArity()).isEqualTo(2);
            fromProjected.put(row.getLong(1), row.getString(0).toString());
        }
        assertThat(new TreeMap<>(fromProjected)).isEqualTo(AFTER_ROUND_0);
        assertThat(bytesProjected)
                .as("column chunks of user_id, conversation_id and created_at are not read")
                .isLessThan(bytesAll);
    }

    @Test
    void keyRangeAndLimitArePushedDown() throws Exception {
        Map<Long, String> inRange =
                new TreeMap<>(((TreeMap<Long, String>) AFTER_ROUND_1).subMap(1500L, 1600L));
        assertThat(byId(read(source().withKeyRange(1500L, 1599L), 2), 0, 3)).isEqualTo(inRange);

        List<RowData> limited = read(source().withLimit(7), 2);
        assertThat(limited).hasSizeBetween(1, 14);
        for (RowData row : limited) {
            assertThat(AFTER_ROUND_1).containsEntry(row.getLong(0), row.getString(3).toString());
        }
    }

    @Test
    void mapperProducesAUserType() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TieredSource<Tuple3<Long, String, String>> source =
                TieredSource.forTable(
                                warehouse.toURI().toString(),
                                Messages.TABLE,
                                row ->
                                        Tuple3.of(
                                                row.getLong(0),
                                                row.getRowKind().shortString(),
                                                row.getString(1).toString()),
                                Types.TUPLE(Types.LONG, Types.STRING, Types.STRING))
                        .selectColumns("id", "content")
                        .build();
        Map<Long, String> read = new TreeMap<>();
        try (CloseableIterator<Tuple3<Long, String, String>> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "tiered")
                        .executeAndCollect()) {
            it.forEachRemaining(
                    t -> {
                        assertThat(t.f1).isEqualTo("+I");
                        read.put(t.f0, t.f2);
                    });
        }
        assertThat(read).isEqualTo(AFTER_ROUND_1);
    }

    @Test
    void lookupReadsTheNewestVersionOverBothTiers() throws Exception {
        TieredLookupFunction lookup =
                TieredLookupFunction.forTable(
                                warehouse.toURI().toString(), Messages.TABLE, "id", "user_id")
                        .selectColumns("content")
                        .build();
        lookup.open(new org.apache.flink.table.functions.FunctionContext(null));
        for (long id : new long[] {5, 13, 1500, 1507, 2100, 2499, 2600}) {
            var rows =
                    lookup.lookup(
                            org.apache.flink.table.data.GenericRowData.of(
                                    id,
                                    org.apache.flink.table.data.StringData.fromString(
                                            Messages.user(id))));
            List<String> contents = new ArrayList<>();
            rows.forEach(r -> contents.add(r.getString(0).toString()));
            assertThat(contents)
                    .as("key %d", id)
                    .isEqualTo(
                            AFTER_ROUND_1.containsKey(id)
                                    ? List.of(AFTER_ROUND_1.get(id))
                                    : List.of());
        }
        lookup.close();
    }
}
