package dev.tiered.state.maint;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.ScopeManifestParser;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * {@code check_storage(id, extended)} (DESIGN §7, §9). The basic check writes, lists, reads and
 * deletes a probe file at the storage's base and reports each step's latency; if any step fails the
 * storage is {@code unreachable}. The extended check then walks every table of the storage: every
 * commit record parses and the log folds to the newest commit; every scope's current manifest
 * version and {@code manifest.json} parse; every batch they list exists with the listed size and
 * its Parquet footer reads; every live hot segment exists with its size. Each problem is a row; any
 * problem makes the storage {@code degraded}. Leftovers of failed attempts (orphans, manifest
 * versions waiting to be rolled forward) are rows marked {@code cleanable}, not problems. Read-only
 * apart from the probe file.
 */
public final class StorageCheck {
    /** Overall status of a storage. */
    public enum Status {
        HEALTHY,
        DEGRADED,
        UNREACHABLE;

        public String displayName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a report row says about its target. */
    public enum Severity {
        OK,
        CLEANABLE,
        PROBLEM,
        UNREACHABLE
    }

    /**
     * One report row.
     *
     * @param check what was checked: {@code probe-write}, {@code probe-list}, {@code probe-read},
     *     {@code probe-delete}, {@code log}, {@code manifest}, {@code batch}, {@code hot-segment},
     *     {@code orphan}, {@code table}
     * @param target the table, file or URI checked
     * @param latencyMillis for probe steps, how long the step took; else -1
     */
    public record Row(
            String check, String target, Severity severity, String message, long latencyMillis) {}

    /** The whole report. */
    public record Report(String storageId, Status status, List<Row> rows) {
        public Report {
            rows = List.copyOf(rows);
        }

        public List<Row> problems() {
            return rows.stream().filter(r -> r.severity() == Severity.PROBLEM).toList();
        }
    }

    private final TableFileIO io;
    private final List<Row> rows = new ArrayList<>();

    private StorageCheck(TableFileIO io) {
        this.io = io;
    }

    /** Checks the storage at {@code base}; with {@code extended}, every table in it as well. */
    public static Report check(TableFileIO io, String storageId, Path base, boolean extended) {
        StorageCheck check = new StorageCheck(io);
        if (!check.probe(base)) {
            return new Report(storageId, Status.UNREACHABLE, check.rows);
        }
        if (extended) {
            List<TieredTable> tables;
            try {
                tables = Warehouse.tables(io, base);
            } catch (IOException | RuntimeException e) {
                check.problem(
                        "table", base.toString(), "Cannot list the tables: " + e.getMessage());
                tables = List.of();
            }
            for (TieredTable table : tables) {
                check.checkTable(table);
            }
        }
        boolean degraded = check.rows.stream().anyMatch(r -> r.severity() == Severity.PROBLEM);
        return new Report(storageId, degraded ? Status.DEGRADED : Status.HEALTHY, check.rows);
    }

    private boolean probe(Path base) {
        Path probe = new Path(base, ".tiered-check-" + UUID.randomUUID());
        byte[] content = ("probe " + probe.getName()).getBytes(StandardCharsets.UTF_8);
        long started = System.nanoTime();
        try {
            io.overwrite(probe, content);
            rows.add(ok("probe-write", probe, started));
            started = System.nanoTime();
            if (!io.list(base).contains(probe.getName())) {
                throw new IOException("the probe file is not listed");
            }
            rows.add(ok("probe-list", base, started));
            started = System.nanoTime();
            if (!Arrays.equals(io.read(probe), content)) {
                throw new IOException("the probe file reads back different bytes");
            }
            rows.add(ok("probe-read", probe, started));
            started = System.nanoTime();
            io.delete(probe);
            if (io.exists(probe)) {
                throw new IOException("the probe file is still there after delete");
            }
            rows.add(ok("probe-delete", probe, started));
            return true;
        } catch (IOException | RuntimeException e) {
            rows.add(
                    new Row(
                            "probe",
                            base.toString(),
                            Severity.UNREACHABLE,
                            "Cannot use storage at " + base + ": " + e.getMessage(),
                            (System.nanoTime() - started) / 1_000_000));
            try {
                io.delete(probe);
            } catch (IOException | RuntimeException ignored) {
                // unreachable already reported
            }
            return false;
        }
    }

    private void checkTable(TieredTable table) {
        String tableId = table.definition().tableId();
        int problemsBefore = problemCount();
        TableState state;
        try {
            for (long n : table.log().listCommits()) {
                try {
                    table.log().read(n);
                } catch (IOException | RuntimeException e) {
                    problem(
                            "log",
                            table.log().commitFile(n).toString(),
                            "Cannot parse commit " + n + " of " + tableId + ": " + e.getMessage());
                }
            }
            state = table.log().stateAt(table.log().latestCommit());
        } catch (IOException | RuntimeException e) {
            problem("log", tableId, "Cannot fold the commit log of " + tableId + ": " + e);
            return;
        }
        for (ScopeId scope : state.scopeIds()) {
            checkScope(table, state, scope);
        }
        for (HotSegmentRef hot : state.hotSegments()) {
            checkFile(
                    "hot-segment",
                    new Path(table.layout().hotDir(), hot.path()),
                    hot.sizeBytes(),
                    tableId);
        }
        try {
            for (OrphanCleanup.Orphan orphan : OrphanCleanup.find(table)) {
                rows.add(
                        new Row(
                                "orphan",
                                orphan.path(),
                                Severity.CLEANABLE,
                                "Leftover of a failed attempt ("
                                        + orphan.kind()
                                        + ", "
                                        + orphan.sizeBytes()
                                        + " bytes): no commit references it; orphan cleanup"
                                        + " removes it",
                                -1));
            }
        } catch (IOException | RuntimeException e) {
            problem("orphan", tableId, "Cannot list the files of " + tableId + ": " + e);
        }
        if (problemCount() == problemsBefore) {
            rows.add(
                    new Row(
                            "table",
                            tableId,
                            Severity.OK,
                            "commit " + state.commit() + ", " + state.scopes().size() + " scopes",
                            -1));
        }
    }

    private void checkScope(TieredTable table, TableState state, ScopeId scope) {
        ScopeManifest manifest = checkVersionFile(table, state, scope);
        checkCurrentFile(table, state, scope);
        if (manifest == null) {
            return;
        }
        for (SegmentEntry segment : manifest.segments()) {
            Path file = new Path(table.scopeDir(state, scope), segment.path());
            if (checkFile("batch", file, segment.sizeBytes(), table.definition().tableId())) {
                try (BatchReader ignored =
                        BatchReader.open(file, table.definition(), scope, BatchReadSpec.all())) {
                    // opening reads and checks the footer
                } catch (IOException | RuntimeException e) {
                    problem(
                            "batch",
                            file.toString(),
                            "Cannot read the Parquet footer of batch "
                                    + file
                                    + ": "
                                    + e.getMessage());
                }
            }
        }
    }

    /** The scope's current {@code manifest-v<version>.json}; null if missing or damaged. */
    private ScopeManifest checkVersionFile(TieredTable table, TableState state, ScopeId scope) {
        TableState.ScopeState scopeState = state.scope(scope);
        Path versionFile = table.manifests().versionFile(state, scope, scopeState.version());
        try {
            if (!io.exists(versionFile)) {
                rows.add(
                        new Row(
                                "manifest",
                                versionFile.toString(),
                                Severity.CLEANABLE,
                                "Manifest version "
                                        + scopeState.version()
                                        + " is not written yet; the next commit or read rolls it"
                                        + " forward from commit "
                                        + scopeState.lastCommit(),
                                -1));
                return null;
            }
            ScopeManifest manifest = parse(table, versionFile);
            if (manifest.version() != scopeState.version()
                    || manifest.lastCommit() != scopeState.lastCommit()) {
                problem(
                        "manifest",
                        versionFile.toString(),
                        "Manifest "
                                + versionFile
                                + " is version "
                                + manifest.version()
                                + " of commit "
                                + manifest.lastCommit()
                                + ", expected version "
                                + scopeState.version()
                                + " of commit "
                                + scopeState.lastCommit());
            }
            return manifest;
        } catch (IOException | RuntimeException e) {
            problem(
                    "manifest",
                    versionFile.toString(),
                    "Cannot parse manifest " + versionFile + ": " + e.getMessage());
            return null;
        }
    }

    /** {@code manifest.json}: parses, and is the current version or one a commit will replace. */
    private void checkCurrentFile(TieredTable table, TableState state, ScopeId scope) {
        TableState.ScopeState scopeState = state.scope(scope);
        Path current = table.manifests().currentFile(state, scope);
        try {
            if (!io.exists(current)) {
                rows.add(
                        new Row(
                                "manifest",
                                current.toString(),
                                Severity.CLEANABLE,
                                "manifest.json is not written yet; the next commit of the scope"
                                        + " writes it",
                                -1));
                return;
            }
            ScopeManifest onDisk = parse(table, current);
            if (onDisk.lastCommit() < scopeState.lastCommit()) {
                rows.add(
                        new Row(
                                "manifest",
                                current.toString(),
                                Severity.CLEANABLE,
                                "manifest.json is at version "
                                        + onDisk.version()
                                        + "; the next commit of the scope brings it to "
                                        + scopeState.version(),
                                -1));
            }
        } catch (IOException | RuntimeException e) {
            problem(
                    "manifest",
                    current.toString(),
                    "Cannot parse manifest " + current + ": " + e.getMessage());
        }
    }

    /** Existence and size; true if both are as listed. */
    private boolean checkFile(String kind, Path file, long expectedBytes, String tableId) {
        try {
            if (!io.exists(file)) {
                problem(
                        kind,
                        file.toString(),
                        "Missing file: "
                                + file
                                + " is referenced by the newest commit of "
                                + tableId
                                + " but does not exist");
                return false;
            }
            long length = io.length(file);
            if (length != expectedBytes) {
                problem(
                        kind,
                        file.toString(),
                        "Wrong size: "
                                + file
                                + " has "
                                + length
                                + " bytes, its metadata says "
                                + expectedBytes
                                + " (truncated or overwritten)");
                return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            problem(kind, file.toString(), "Cannot check " + file + ": " + e.getMessage());
            return false;
        }
    }

    private ScopeManifest parse(TieredTable table, Path file) throws IOException {
        return ScopeManifestParser.fromJson(io.read(file), table.columnTypes());
    }

    private void problem(String check, String target, String message) {
        rows.add(new Row(check, target, Severity.PROBLEM, message, -1));
    }

    private int problemCount() {
        return (int) rows.stream().filter(r -> r.severity() == Severity.PROBLEM).count();
    }

    private static Row ok(String check, Path target, long startedNanos) {
        return new Row(
                check,
                target.toString(),
                Severity.OK,
                "ok",
                (System.nanoTime() - startedNanos) / 1_000_000);
    }
}
