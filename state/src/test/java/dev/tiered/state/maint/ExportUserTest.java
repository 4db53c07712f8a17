package dev.tiered.state.maint;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.MergeCursor;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.ScopeManifestParser;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableDefinitionParser;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 8 through export_user: the exported directory alone — its table definition, {@code
 * manifest.json} and batches — reads back as exactly the user's rows as of the exported commit.
 */
class ExportUserTest {
    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);

    /** Reads an exported {@code <ns>/<table>} directory with nothing but its own files. */
    static Map<Long, String> readExport(File dir, String user) throws IOException {
        File schema = new File(dir, "_table/schema-1.json");
        TableDefinition definition =
                TableDefinitionParser.fromJson(
                        new String(Files.readAllBytes(schema.toPath()), StandardCharsets.UTF_8));
        ScopeManifest manifest =
                ScopeManifestParser.fromJson(
                        Files.readAllBytes(new File(dir, "manifest.json").toPath()),
                        id -> definition.columns().get(id - 1).type());
        assertThat(manifest.userId()).isEqualTo(user);
        assertThat(Files.readAllBytes(new File(dir, "manifest.json").toPath()))
                .isEqualTo(Files.readAllBytes(new File(dir, "manifest-v1.json").toPath()));
        List<ChangeCursor> inputs = new ArrayList<>();
        for (SegmentEntry segment : manifest.segments()) {
            File file = new File(dir, segment.path());
            assertThat(file.length()).isEqualTo(segment.sizeBytes());
            inputs.add(
                    BatchReader.open(
                            Path.fromLocalFile(file),
                            definition,
                            ScopeId.user(user),
                            BatchReadSpec.all()));
        }
        Map<Long, String> rows = new TreeMap<>();
        try (MergeCursor merged =
                new MergeCursor(
                        inputs,
                        KeyComparators.forField(definition.rowType().getTypeAt(0), 0),
                        false)) {
            while (merged.next()) {
                assertThat(merged.row().getString(1).toString()).isEqualTo(user);
                rows.put(merged.row().getLong(0), merged.row().getString(3).toString());
            }
        }
        return rows;
    }

    @Test
    void exportReadsBackAsTheUsersRowsOfOneCommit() throws IOException {
        File warehouse = new File(root, "warehouse");
        TestWriter messages =
                new TestWriter(new FlinkFileIO(), warehouse, "messages", Map.of(), clock);
        TestWriter drafts = new TestWriter(new FlinkFileIO(), warehouse, "drafts", Map.of(), clock);
        EraseUserTest.history(messages, new HashMap<>());
        drafts.upsert("bob", 1, "only bob here");
        drafts.checkpoint();
        long exportedCommit = messages.table.latestState().commit();
        Map<Long, String> expected = new TreeMap<>(messages.expected(EraseUserTest.USER));
        assertThat(expected).containsKey(42L); // a row that is still hot is exported too

        Path target = Path.fromLocalFile(new File(root, "export"));
        UserExport.Result result =
                UserExport.export(
                        Warehouse.tables(new FlinkFileIO(), Path.fromLocalFile(warehouse)),
                        EraseUserTest.USER,
                        target,
                        MaintenanceOptions.defaults(),
                        clock);

        assertThat(result.tables())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.tableId()).isEqualTo("chat.messages");
                            assertThat(t.commit()).isEqualTo(exportedCommit);
                            assertThat(t.rows()).isEqualTo(expected.size());
                        });
        File dir = new File(root, "export/chat/messages");
        assertThat(readExport(dir, EraseUserTest.USER)).isEqualTo(expected);
        assertThat(new File(root, "export/chat/drafts")).doesNotExist();
        assertThat(EraseUserTest.filesHolding(new File(root, "export"), "bob-")).isEmpty();
        assertThat(new File(warehouse, "chat/messages/_pins").list()).isNullOrEmpty();

        // Exporting again after more changes replaces the export whole.
        messages.upsert(EraseUserTest.USER, 100, "later");
        messages.delete(EraseUserTest.USER, 42);
        messages.checkpoint();
        messages.flush(EraseUserTest.USER);
        UserExport.export(
                Warehouse.tables(new FlinkFileIO(), Path.fromLocalFile(warehouse)),
                EraseUserTest.USER,
                target,
                MaintenanceOptions.defaults().withTargetFileBytes(600),
                clock);
        assertThat(readExport(dir, EraseUserTest.USER))
                .isEqualTo(messages.expected(EraseUserTest.USER));
        assertThat(dir.list((d, name) -> name.endsWith(".parquet")).length)
                .as("small target size: several files, no leftovers of the first export")
                .isEqualTo(
                        ScopeManifestParser.fromJson(
                                        Files.readAllBytes(new File(dir, "manifest.json").toPath()),
                                        messages.table.columnTypes())
                                .segments()
                                .size())
                .isGreaterThan(1);
    }
}
