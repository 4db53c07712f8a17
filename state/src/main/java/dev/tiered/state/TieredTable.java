package dev.tiered.state;

import dev.tiered.state.commit.TableCommitter;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.log.CommitLog;
import dev.tiered.state.log.ManifestStore;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.TableDefinitionParser;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A handle on one table in a storage: its definition, commit log, manifests and committer. Sink,
 * source, procedures and tests all reach the table format through it. Thread-safe.
 */
public final class TieredTable {
    /** Commits between two log checkpoints: loading a state replays fewer than this. */
    public static final int LOG_CHECKPOINT_INTERVAL = 10;

    private static final Pattern SCHEMA_FILE = Pattern.compile("schema-(\\d+)\\.json");

    private final TableFileIO io;
    private final Path base;
    private final TableDefinition definition;
    private final StorageLayout layout;
    private final CommitLog log;
    private final ManifestStore manifests;
    private final IntFunction<LogicalType> columnTypes;

    private TieredTable(TableFileIO io, Path base, TableDefinition definition) {
        this.io = io;
        this.base = base;
        this.definition = definition;
        this.layout = StorageLayout.of(base, definition);
        IntFunction<LogicalType> columnTypes = columnTypes(definition);
        this.columnTypes = columnTypes;
        this.log =
                new CommitLog(
                        io,
                        layout,
                        columnTypes,
                        LOG_CHECKPOINT_INTERVAL,
                        definition.schemaVersion());
        this.manifests = new ManifestStore(io, layout, log, definition.tableId(), columnTypes);
    }

    /**
     * Creates a table: writes {@code _table/schema-1.json} if absent.
     *
     * @throws TableValidationException if a table with another definition exists at that place
     */
    public static TieredTable create(TableFileIO io, Path base, TableDefinition definition)
            throws IOException {
        StorageLayout layout = StorageLayout.of(base, definition);
        byte[] json = TableDefinitionParser.toJson(definition).getBytes(StandardCharsets.UTF_8);
        Path schema = layout.schemaFile(definition.schemaVersion());
        if (!io.createIfAbsent(schema, json)) {
            TableDefinition existing =
                    TableDefinitionParser.fromJson(
                            new String(io.read(schema), StandardCharsets.UTF_8));
            if (!existing.equals(definition)) {
                throw new TableValidationException(
                        "Table " + definition.tableId() + " already exists");
            }
        }
        return new TieredTable(io, base, definition);
    }

    /** Opens an existing table at its newest definition version. */
    public static TieredTable open(TableFileIO io, Path base, String namespace, String name)
            throws IOException {
        StorageLayout layout = new StorageLayout(base, namespace, name, TableType.SHARED);
        int newest = 0;
        for (String file : io.list(new Path(layout.tableDir(), StorageLayout.TABLE_DIR))) {
            Matcher m = SCHEMA_FILE.matcher(file);
            if (m.matches()) {
                newest = Math.max(newest, Integer.parseInt(m.group(1)));
            }
        }
        if (newest == 0) {
            throw new TieredException(
                    "Cannot open table "
                            + namespace
                            + "."
                            + name
                            + ": no table at "
                            + layout.tableDir());
        }
        String json = new String(io.read(layout.schemaFile(newest)), StandardCharsets.UTF_8);
        return new TieredTable(io, base, TableDefinitionParser.fromJson(json));
    }

    public TableDefinition definition() {
        return definition;
    }

    public StorageLayout layout() {
        return layout;
    }

    public TableFileIO io() {
        return io;
    }

    public Path base() {
        return base;
    }

    public CommitLog log() {
        return log;
    }

    public ManifestStore manifests() {
        return manifests;
    }

    /** Column types by stable column id, as the metadata parsers need them. */
    public IntFunction<LogicalType> columnTypes() {
        return columnTypes;
    }

    public TableState latestState() throws IOException {
        return log.latestState();
    }

    public TableState stateAt(long commit) throws IOException {
        return log.stateAt(commit);
    }

    public ScopeManifest manifest(TableState state, ScopeId scope) throws IOException {
        return manifests.manifest(state, scope);
    }

    public TableCommitter committer(Clock clock) {
        return new TableCommitter(io, log, manifests, definition.tableId(), clock);
    }

    /** The directory of a scope's batches and manifests. */
    public Path scopeDir(ScopeId scope) {
        return layout.scopeDir(scope.userId());
    }

    private static IntFunction<LogicalType> columnTypes(TableDefinition definition) {
        Map<Integer, LogicalType> types = new HashMap<>();
        definition.columns().forEach(c -> types.put(c.id(), c.type()));
        return types::get;
    }
}
