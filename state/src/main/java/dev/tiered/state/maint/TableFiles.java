package dev.tiered.state.maint;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.log.CommitLog;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeChange;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a table that some retained commit references, and the files of the table that no
 * retained commit does (candidates for orphan cleanup). Retained = every commit whose file is still
 * in {@code _log/}, from the oldest whose state loads.
 */
final class TableFiles {
    private static final Pattern MANIFEST_VERSION = Pattern.compile("manifest-v(\\d+)\\.json");

    static final String HOT_SEGMENT = "hot segment";

    /** A file no retained commit references. */
    record Unreferenced(Path path, String kind) {}

    private final TieredTable table;
    private final Set<String> referenced = new HashSet<>();
    private final Map<String, Long> oldestVersionByDir = new HashMap<>();
    private final long oldestCommit;
    private final long latestCommit;

    private TableFiles(TieredTable table, long oldestCommit, long latestCommit) {
        this.table = table;
        this.oldestCommit = oldestCommit;
        this.latestCommit = latestCommit;
    }

    /** Collects what the retained commits reference. */
    static TableFiles of(TieredTable table) throws IOException {
        CommitLog log = table.log();
        long latest = log.latestCommit();
        List<Long> commits = log.listCommits();
        TableState base = null;
        for (long n : commits) {
            try {
                base = log.stateAt(n);
                break;
            } catch (IOException e) {
                // expired below a checkpoint that is gone: the next one up loads
            }
        }
        if (base == null) {
            return new TableFiles(table, 0, latest);
        }
        TableFiles files = new TableFiles(table, base.commit(), latest);
        for (HotSegmentRef hot : base.hotSegments()) {
            files.referenced.add(new Path(table.layout().hotDir(), hot.path()).toString());
        }
        Map<ScopeId, String> storages = new HashMap<>();
        for (ScopeId scope : base.scopeIds()) {
            storages.put(scope, base.scope(scope).storage());
            Path dir = table.scopeDir(base, scope);
            for (SegmentEntry segment : table.manifest(base, scope).segments()) {
                files.referenced.add(new Path(dir, segment.path()).toString());
            }
            files.oldestVersionByDir.put(dir.toString(), base.scope(scope).version());
        }
        for (long n = base.commit() + 1; n <= latest; n++) {
            CommitRecord record = log.read(n);
            for (HotSegmentRef hot : record.changedSegments()) {
                files.referenced.add(new Path(table.layout().hotDir(), hot.path()).toString());
            }
            for (ScopeChange change : record.scopeChanges()) {
                if (change.erased()) {
                    storages.remove(change.scope());
                    continue;
                }
                if (change.version() == 1) {
                    storages.put(change.scope(), change.storage());
                }
                Path dir =
                        table.layout()
                                .scopeDir(change.scope().userId(), storages.get(change.scope()));
                for (SegmentEntry segment : change.addedSegments()) {
                    files.referenced.add(new Path(dir, segment.path()).toString());
                }
                files.oldestVersionByDir.putIfAbsent(dir.toString(), change.version());
            }
        }
        return files;
    }

    long oldestCommit() {
        return oldestCommit;
    }

    long latestCommit() {
        return latestCommit;
    }

    boolean isReferenced(Path path) {
        return referenced.contains(path.toString());
    }

    /**
     * Data files (batches, hot segments), superseded manifest versions, manifests of scopes no
     * retained commit has, and temp files of interrupted writes, that no retained commit
     * references. Never lists commit files, the table definition, pins or dead letters.
     */
    List<Unreferenced> unreferenced() throws IOException {
        List<Unreferenced> found = new ArrayList<>();
        StorageLayout layout = table.layout();
        if (table.definition().type() == TableType.USER) {
            List<Path> tableDirs = new ArrayList<>();
            tableDirs.add(layout.tableDir());
            for (Path other : table.userStorageTableDirs(table.latestState())) {
                // never another table's files: a table of that name living in that storage
                if (!table.io().exists(new Path(other, StorageLayout.TABLE_DIR))) {
                    tableDirs.add(other);
                }
            }
            for (Path tableDir : tableDirs) {
                for (String name : table.io().list(tableDir)) {
                    if (!name.startsWith("_") && !name.startsWith(".")) {
                        scanScopeDir(new Path(tableDir, name), found);
                    }
                }
            }
        } else {
            scanScopeDir(layout.tableDir(), found);
        }
        for (String name : table.io().list(layout.hotDir())) {
            Path file = new Path(layout.hotDir(), name);
            if (isTemp(name)) {
                found.add(new Unreferenced(file, "temp file"));
            } else if (!isReferenced(file)) {
                found.add(new Unreferenced(file, HOT_SEGMENT));
            }
        }
        for (Path dir :
                List.of(layout.logDir(), new Path(layout.tableDir(), StorageLayout.TABLE_DIR))) {
            for (String name : table.io().list(dir)) {
                if (isTemp(name)) {
                    found.add(new Unreferenced(new Path(dir, name), "temp file"));
                }
            }
        }
        return found;
    }

    private void scanScopeDir(Path dir, List<Unreferenced> found) throws IOException {
        Long oldestVersion = oldestVersionByDir.get(dir.toString());
        for (String name : table.io().list(dir)) {
            Path file = new Path(dir, name);
            if (isTemp(name)) {
                found.add(new Unreferenced(file, "temp file"));
            } else if (name.endsWith(".parquet") && !isReferenced(file)) {
                found.add(new Unreferenced(file, "batch"));
            } else if (oldestVersion == null && name.equals(StorageLayout.MANIFEST_FILE)) {
                found.add(new Unreferenced(file, "manifest of a scope no commit has"));
            } else {
                Matcher m = MANIFEST_VERSION.matcher(name);
                if (m.matches()
                        && (oldestVersion == null || Long.parseLong(m.group(1)) < oldestVersion)) {
                    found.add(new Unreferenced(file, "superseded manifest version"));
                }
            }
        }
    }

    private static boolean isTemp(String name) {
        return name.startsWith(".") && name.endsWith(".tmp");
    }
}
