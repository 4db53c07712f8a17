package dev.tiered.sink;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.testing.TableRows;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.util.FileUtils;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Flink's own sink test suite (basic sink, restart from savepoint, scale up, scale down, metrics)
 * against a USER table and a SHARED table, exactly-once. A record is a message {@code
 * "<id>|<user>|<content>"}; the suite's reader sees only committed rows, read back over both tiers.
 */
class TieredSinkTestSuiteITCase extends SinkTestSuiteBase<String> {

    @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestSemantics CheckpointingMode[] semantics = {CheckpointingMode.EXACTLY_ONCE};

    @TestContext ContextFactory userTable = new ContextFactory("USER");

    @TestContext ContextFactory sharedTable = new ContextFactory("SHARED");

    static final class ContextFactory implements ExternalContextFactory<Context> {
        private final String type;

        ContextFactory(String type) {
            this.type = type;
        }

        @Override
        public Context createExternalContext(String testName) {
            return new Context(type);
        }

        @Override
        public String toString() {
            return type + " table";
        }
    }

    /** One fresh table per test case. */
    static final class Context implements DataStreamSinkV2ExternalContext<String> {
        private final File warehouse;
        private final TableDefinition definition;

        Context(String type) {
            try {
                this.warehouse = Files.createTempDirectory("tiered-sink-suite").toFile();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.definition =
                    TableDefinition.create(
                            "chat",
                            "messages",
                            TestTables.messageColumns(),
                            List.of("id"),
                            Map.of("TYPE", type, "FLUSH_POLICY", "rows:40"),
                            id -> true);
        }

        private String baseUri() {
            return warehouse.toURI().toString();
        }

        @Override
        public Sink<String> createSink(TestingSinkSettings settings) {
            return TieredSink.forTable(baseUri(), "chat.messages", Context::toRow)
                    .withDefinition(definition)
                    .build();
        }

        static RowData toRow(String message) {
            String[] parts = message.split("\\|", 3);
            return GenericRowData.of(
                    Long.parseLong(parts[0]),
                    StringData.fromString(parts[1]),
                    7L,
                    StringData.fromString(parts[2]),
                    null);
        }

        @Override
        public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
            return new CommittedRows(baseUri());
        }

        @Override
        public List<String> generateTestData(TestingSinkSettings settings, long seed) {
            Random random = new Random(seed);
            int count = 300 + random.nextInt(300);
            Set<Long> ids = new HashSet<>();
            List<String> messages = new ArrayList<>(count);
            while (messages.size() < count) {
                long id = random.nextInt(1_000_000);
                if (ids.add(id)) {
                    messages.add(id + "|user" + random.nextInt(8) + "|hello " + seed + " " + id);
                }
            }
            return messages;
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

    /** Returns the committed rows not returned before, read at the latest commit. */
    static final class CommittedRows implements ExternalSystemDataReader<String> {
        private final String baseUri;
        private final Set<Long> returned = new HashSet<>();

        CommittedRows(String baseUri) {
            this.baseUri = baseUri;
        }

        @Override
        public List<String> poll(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                List<String> fresh = new ArrayList<>();
                while (true) {
                    readNew(fresh);
                    if (!fresh.isEmpty() || System.nanoTime() > deadline) {
                        return fresh;
                    }
                    Thread.sleep(50);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }

        private void readNew(List<String> out) throws IOException {
            TieredTable table;
            try {
                table = ChatChanges.open(baseUri);
            } catch (IOException e) {
                return; // the job has not created the table yet
            }
            TableRows.forEachRow(
                    table,
                    table.latestState(),
                    (scope, row) -> {
                        if (returned.add(row.getLong(0))) {
                            out.add(
                                    row.getLong(0)
                                            + "|"
                                            + row.getString(1)
                                            + "|"
                                            + row.getString(3));
                        }
                    });
        }

        @Override
        public void close() {}
    }
}
