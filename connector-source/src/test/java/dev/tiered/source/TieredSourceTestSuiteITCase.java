package dev.tiered.source;

import dev.tiered.source.testing.Messages;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.FileUtils;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Flink's connector testing framework source suite, bounded and unbounded (failover, savepoints,
 * rescaling, metrics, idle readers). A split of the suite is one user of a USER table: each data
 * writer writes its records as hot segments committed through the table engine.
 */
class TieredSourceTestSuiteITCase extends SourceTestSuiteBase<String> {

    @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestSemantics
    CheckpointingMode[] semantics =
            new CheckpointingMode[] {
                CheckpointingMode.EXACTLY_ONCE, CheckpointingMode.AT_LEAST_ONCE
            };

    @TestContext ExternalContextFactory<TieredContext> context = testName -> new TieredContext();

    /** One table per test; users "split-0", "split-1", ... are the splits. */
    static final class TieredContext implements DataStreamSourceExternalContext<String> {
        private final File warehouse;
        private final TieredTable table;
        private final AtomicInteger splits = new AtomicInteger();
        private final AtomicLong nextKey = new AtomicLong();
        private final AtomicInteger segments = new AtomicInteger();

        TieredContext() {
            try {
                warehouse = Files.createTempDirectory("tiered-suite").toFile();
                table = Messages.createTable(warehouse, "rows:1000");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Source<String, ?, ?> createSource(TestingSourceSettings settings) {
            TieredSourceBuilder<String> builder =
                    TieredSource.forTable(
                                    warehouse.toURI().toString(),
                                    Messages.TABLE,
                                    row -> row.getString(0).toString(),
                                    Types.STRING)
                            .selectColumns("content")
                            .discoveryInterval(Duration.ofMillis(50));
            return settings.getBoundedness() == Boundedness.BOUNDED
                    ? builder.bounded().build()
                    : builder.streaming().build();
        }

        @Override
        public ExternalSystemSplitDataWriter<String> createSourceSplitDataWriter(
                TestingSourceSettings settings) {
            ScopeId scope = ScopeId.user("split-" + splits.getAndIncrement());
            return new ExternalSystemSplitDataWriter<>() {
                @Override
                public void writeRecords(List<String> records) {
                    try {
                        commit(scope, records);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void close() {}
            };
        }

        /** Writes the records as one hot segment and commits it: one append commit. */
        private void commit(ScopeId scope, List<String> records) throws IOException {
            SnowflakeIds ids = new SnowflakeIds(1, Clock.systemUTC(), table.latestState().maxSeq());
            Path path =
                    new Path(
                            table.layout().hotDir(),
                            "suite-"
                                    + segments.getAndIncrement()
                                    + "-"
                                    + UUID.randomUUID()
                                    + ".avro");
            var segment = HotSegmentWriter.create(path, table.definition());
            try (segment) {
                for (String record : records) {
                    long key = nextKey.getAndIncrement();
                    var row =
                            (org.apache.flink.table.data.GenericRowData)
                                    Messages.row(RowKind.INSERT, key, record);
                    row.setField(
                            1, org.apache.flink.table.data.StringData.fromString(scope.userId()));
                    segment.write(scope, ids.nextId(), ChangeOp.UPSERT, row);
                }
                table.committer(Clock.systemUTC())
                        .commit(
                                new PendingCommit("append", "suite", -1)
                                        .addHotSegment(Segments.ref(segment.finish(), "suite", -1)),
                                table.definition().schemaVersion());
            }
        }

        @Override
        public List<String> generateTestData(
                TestingSourceSettings settings, int splitIndex, long seed) {
            Random random = new Random(seed);
            int count = 10 + random.nextInt(90);
            List<String> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                records.add("split" + splitIndex + "-" + seed + "-" + i + "-" + random.nextInt());
            }
            return records;
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }

        @Override
        public List<URL> getConnectorJarPaths() {
            return List.of();
        }

        @Override
        public void close() throws IOException {
            FileUtils.deleteDirectory(warehouse);
        }
    }
}
