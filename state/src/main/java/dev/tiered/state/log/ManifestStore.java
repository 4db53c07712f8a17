package dev.tiered.state.log;

import dev.tiered.state.ScopeId;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.ScopeManifestParser;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Scope manifests: {@code manifest-v<version>.json} (immutable, one per version) and {@code
 * manifest.json} (a copy of the current version, for other tools and exports).
 *
 * <p>Roll-forward: the commit file is the commit point, and manifest versions are written after it.
 * A version that is missing, or that a crashed attempt left with other content, is re-derived from
 * the previous version and the commit record that created it, and written. Derivation is a pure
 * function, so concurrent roll-forwards write identical bytes.
 */
public final class ManifestStore {
    static final String VERSION_PREFIX = "manifest-v";

    private final TableFileIO io;
    private final StorageLayout layout;
    private final CommitLog log;
    private final String tableId;
    private final IntFunction<LogicalType> columnTypes;

    public ManifestStore(
            TableFileIO io,
            StorageLayout layout,
            CommitLog log,
            String tableId,
            IntFunction<LogicalType> columnTypes) {
        this.io = io;
        this.layout = layout;
        this.log = log;
        this.tableId = tableId;
        this.columnTypes = columnTypes;
    }

    public StorageLayout layout() {
        return layout;
    }

    /** The directory of a scope as of {@code state}: where its batches and manifests live. */
    public Path scopeDir(TableState state, ScopeId scope) {
        return layout.scopeDir(scope.userId(), state.scope(scope).storage());
    }

    public Path versionFile(TableState state, ScopeId scope, long version) {
        return versionFile(scopeDir(state, scope), version);
    }

    public Path currentFile(TableState state, ScopeId scope) {
        return new Path(scopeDir(state, scope), StorageLayout.MANIFEST_FILE);
    }

    /** {@code manifest-v<version>.json} in a scope directory. */
    public static Path versionFile(Path scopeDir, long version) {
        return new Path(scopeDir, VERSION_PREFIX + version + ".json");
    }

    /** The scope's manifest as of {@code state}, rolling forward what is missing. */
    public ScopeManifest manifest(TableState state, ScopeId scope) throws IOException {
        TableState.ScopeState scopeState = state.scope(scope);
        return manifest(
                scope, scopeDir(state, scope), scopeState.version(), scopeState.lastCommit());
    }

    /**
     * Version {@code version} of the scope's manifest, which commit {@code commit} wrote, in the
     * scope directory {@code dir} (a scope stays in one directory from its creation on).
     */
    private ScopeManifest manifest(ScopeId scope, Path dir, long version, long commit)
            throws IOException {
        if (version == 0) {
            return ScopeManifest.empty(tableId, scope.userId());
        }
        Path file = versionFile(dir, version);
        if (io.exists(file)) {
            ScopeManifest stored = ScopeManifestParser.fromJson(io.read(file), columnTypes);
            if (stored.lastCommit() == commit && stored.version() == version) {
                return stored;
            }
        }
        ScopeManifest derived = derive(scope, dir, version, commit);
        io.overwrite(file, ScopeManifestParser.toJson(derived, columnTypes));
        return derived;
    }

    /**
     * Makes the scope's files match {@code state}: its current version file exists and {@code
     * manifest.json} equals it. Run by committers after a commit and by storage checks.
     */
    public ScopeManifest ensureCurrent(TableState state, ScopeId scope) throws IOException {
        ScopeManifest manifest = manifest(state, scope);
        byte[] bytes = ScopeManifestParser.toJson(manifest, columnTypes);
        Path current = currentFile(state, scope);
        if (!io.exists(current) || !Arrays.equals(io.read(current), bytes)) {
            // Never move manifest.json backwards past a newer version another committer wrote.
            if (io.exists(current)) {
                ScopeManifest onDisk = ScopeManifestParser.fromJson(io.read(current), columnTypes);
                if (onDisk.lastCommit() > manifest.lastCommit()) {
                    return manifest;
                }
            }
            io.overwrite(current, bytes);
        }
        return manifest;
    }

    private ScopeManifest derive(ScopeId scope, Path dir, long version, long commit)
            throws IOException {
        CommitRecord record = log.read(commit);
        ScopeChange change =
                record.scopeChanges().stream()
                        .filter(c -> c.scope().equals(scope) && c.version() == version)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "Cannot derive manifest v"
                                                        + version
                                                        + " of "
                                                        + tableId
                                                        + " scope "
                                                        + scope
                                                        + ": commit "
                                                        + commit
                                                        + " does not create it"));
        ScopeManifest previous;
        if (version == 1) {
            previous = ScopeManifest.empty(tableId, scope.userId());
        } else {
            TableState before = log.stateAt(commit - 1);
            previous = manifest(scope, dir, version - 1, before.scope(scope).lastCommit());
        }
        return previous.apply(change, commit, record.timestampMillis());
    }
}
