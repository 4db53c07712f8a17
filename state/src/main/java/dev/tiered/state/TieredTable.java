package dev.tiered.state;

import dev.tiered.state.commit.TableCommitter;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.layout.UserStorages;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
    private final UserStorages userStorages;

    private TieredTable(TableFileIO io, Path base, TableDefinition definition) {
        this(io, base, definition, null);
    }

    private TieredTable(
            TableFileIO io, Path base, TableDefinition definition, UserStorages userStorages) {
        this.userStorages = userStorages;
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

    /**
     * This table, placing new user scopes by {@code storages} when its definition has {@code
     * USE_USER_STORAGE} (see {@link #placeScope}). Without it such a table places every new scope
     * in its own storage.
     */
    public TieredTable withUserStorages(UserStorages storages) {
        return new TieredTable(io, base, definition, storages);
    }

    /** The directory of a scope's batches and manifests as of {@code state}. */
    public Path scopeDir(TableState state, ScopeId scope) {
        return manifests.scopeDir(state, scope);
    }

    /**
     * The directory of a scope in the table's own storage: where every scope of a table that does
     * not route users to their storages lives. Code that reads or writes existing scopes uses
     * {@link #scopeDir(TableState, ScopeId)}.
     */
    public Path scopeDir(ScopeId scope) {
        return layout.scopeDir(scope.userId());
    }

    /**
     * Where a writer puts new batches of {@code scope}, given the table as it knows it: the scope's
     * directory if the scope exists; for a new user scope of a {@code USE_USER_STORAGE} table, the
     * user's assigned storage (if any); else the table's own storage. Reads the user's setting, so
     * call it once per flushed scope, not per row.
     */
    public ScopePlacement placeScope(TableState state, ScopeId scope) throws IOException {
        if (state.scope(scope).version() > 0) {
            return new ScopePlacement(scopeDir(state, scope), null);
        }
        if (scope.isShared() || userStorages == null || !definition.options().useUserStorage()) {
            return new ScopePlacement(layout.scopeDir(scope.userId()), null);
        }
        String storage =
                userStorages
                        .baseOf(io, scope.userId(), definition.tableId())
                        .orElse(base.toString());
        if (!layout.isOwnStorage(storage)
                && io.exists(new Path(layout.tableDirIn(storage), StorageLayout.TABLE_DIR))) {
            throw new TieredException(
                    "Cannot place user '"
                            + scope.userId()
                            + "' of table "
                            + definition.tableId()
                            + " in storage "
                            + storage
                            + ": another table "
                            + definition.tableId()
                            + " lives there");
        }
        return new ScopePlacement(layout.scopeDir(scope.userId(), storage), storage);
    }

    /**
     * The table directories in other storages where this table may keep user scopes: those its
     * scopes were created in as of {@code state}, and those of the user storages it places by.
     */
    public List<Path> userStorageTableDirs(TableState state) {
        Set<String> storages = new TreeSet<>();
        for (TableState.ScopeState scope : state.scopes().values()) {
            if (!layout.isOwnStorage(scope.storage())) {
                storages.add(scope.storage());
            }
        }
        if (userStorages != null && definition.options().useUserStorage()) {
            for (String storage : userStorages.storages().values()) {
                if (!layout.isOwnStorage(storage)) {
                    storages.add(storage);
                }
            }
        }
        List<Path> dirs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String storage : storages) {
            Path dir = layout.tableDirIn(storage);
            if (seen.add(dir.toUri().normalize().toString())) {
                dirs.add(dir);
            }
        }
        return dirs;
    }

    /**
     * Where a writer puts a scope's new batches, and the storage to record with them: non-null when
     * the flush creates the scope by a user storage placement (the commit fails if the scope was
     * created elsewhere meanwhile; see {@link dev.tiered.state.commit.PendingCommit#changeScope}).
     */
    public record ScopePlacement(Path dir, String storage) {}

    private static IntFunction<LogicalType> columnTypes(TableDefinition definition) {
        Map<Integer, LogicalType> types = new HashMap<>();
        definition.columns().forEach(c -> types.put(c.id(), c.type()));
        return types::get;
    }
}
