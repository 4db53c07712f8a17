package dev.tiered.state.hot;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.TableDefinition;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The hot tier of one sink writer (DESIGN §1, §5): an embedded RocksDB on local disk with a column
 * family per table (and, for STREAM tables with a primary key, a second one indexing entries by
 * write time). Each table is reached through its {@link HotTable}.
 *
 * <p><b>Durability.</b> None of its own: the write-ahead log is off and the directory is deleted on
 * close. Durability comes from the hot segments committed at each checkpoint; a restarted writer
 * rebuilds its store from them ({@link HotTable#restore}).
 *
 * <p><b>Resources.</b> The store owns the DB, its column family handles, every options object, the
 * block cache, the write buffer manager and the directory. {@link #close()} releases them on every
 * path, in a fixed order: cursors still open, column family handles (default first), the DB,
 * options, the shared cache and filter, then the directory. A failed {@link #open} releases what it
 * created. {@code close()} is idempotent; any other call after it throws {@link
 * IllegalStateException}.
 *
 * <p><b>Threads.</b> Not thread-safe: confine a store and its tables to one thread (the writer's
 * task thread). A cursor may be handed to one other thread, which reads and closes it (the sink's
 * background flush); the caller makes sure it is closed before the store is. Memory is bounded by
 * {@link HotStoreOptions}.
 */
public final class HotStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HotStore.class);

    /** Suffix of the column family that indexes a STREAM table's entries by write time. */
    static final String TTL_SUFFIX = "$ttl";

    private final Path directory;
    private final HotStoreResources resources;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> columnHandles;
    private final Map<String, HotTable> tables = new LinkedHashMap<>();
    private final Set<AutoCloseable> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    private final HotStoreOptions options;
    private boolean closed;

    private HotStore(
            Path directory,
            HotStoreResources resources,
            RocksDB db,
            List<ColumnFamilyHandle> columnHandles,
            List<TableDefinition> definitions,
            HotStoreOptions options,
            Clock clock) {
        this.directory = directory;
        this.resources = resources;
        this.db = db;
        this.columnHandles = columnHandles;
        this.options = options;
        int next = 1; // handle 0 is the default column family
        for (TableDefinition definition : definitions) {
            ColumnFamilyHandle data = columnHandles.get(next++);
            ColumnFamilyHandle index = needsTtlIndex(definition) ? columnHandles.get(next++) : null;
            tables.put(
                    definition.tableId(),
                    new HotTable(this, definition, db, data, index, resources, clock));
        }
    }

    /**
     * Opens an empty store in {@code directory}, which must be absent or empty; the store creates
     * it and deletes it on close.
     *
     * @param tables the tables this writer writes, one column family each (ids must be distinct)
     * @param clock the time STREAM TTLs are measured against
     * @throws IOException if the directory is not empty or RocksDB cannot open there; nothing is
     *     left open then
     */
    public static HotStore open(
            Path directory,
            Collection<TableDefinition> tables,
            HotStoreOptions options,
            Clock clock)
            throws IOException {
        List<TableDefinition> definitions = List.copyOf(tables);
        List<byte[]> names = columnFamilyNames(definitions);
        prepareDirectory(directory);
        HotStoreResources resources = null;
        RocksDB db = null;
        List<ColumnFamilyHandle> handles = new ArrayList<>(names.size());
        try {
            resources = new HotStoreResources(options);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(names.size());
            for (byte[] name : names) {
                // Always with our options: a descriptor without them creates options nobody closes.
                descriptors.add(new ColumnFamilyDescriptor(name, resources.columnOptions()));
            }
            db =
                    RocksDB.open(
                            resources.dbOptions(),
                            directory.resolve("db").toString(),
                            descriptors,
                            handles);
            HotStore store =
                    new HotStore(directory, resources, db, handles, definitions, options, clock);
            LOG.info(
                    "Opened hot store in {} for tables {} ({})",
                    directory,
                    store.tables.keySet(),
                    options);
            return store;
        } catch (RocksDBException e) {
            abandon(directory, resources, db, handles);
            throw new IOException("Cannot open hot store in " + directory, e);
        } catch (RuntimeException | Error e) {
            abandon(directory, resources, db, handles);
            throw e;
        }
    }

    /** Releases what a failed open created, newest first, and deletes the directory. */
    private static void abandon(
            Path directory,
            HotStoreResources resources,
            RocksDB db,
            List<ColumnFamilyHandle> handles) {
        handles.forEach(HotStoreResources::closeQuietly);
        if (db != null) {
            HotStoreResources.closeQuietly(db);
        }
        if (resources != null) {
            resources.close();
        }
        deleteQuietly(directory);
    }

    /**
     * The hot table of a table id ({@code "ns.table"}).
     *
     * @throws IllegalArgumentException if the store was not opened with that table
     */
    public HotTable table(String tableId) {
        HotTable table = tables.get(tableId);
        if (table == null) {
            throw new IllegalArgumentException(
                    "Cannot find table " + tableId + " in hot store: it has " + tables.keySet());
        }
        return table;
    }

    /** The tables, in the order given to {@link #open}. */
    public List<HotTable> tables() {
        return List.copyOf(tables.values());
    }

    /**
     * Drops the expired entries of every STREAM table (see {@link HotTable#expire()}); the writer
     * calls this at each checkpoint.
     *
     * @return the number of entries dropped
     */
    public long expire() throws IOException {
        long expired = 0;
        for (HotTable table : tables.values()) {
            expired += table.expire();
        }
        return expired;
    }

    public Path directory() {
        return directory;
    }

    public HotStoreOptions options() {
        return options;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes cursors still open, then the DB and every native resource, then deletes the directory.
     * Idempotent; never throws (failures are logged).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> open;
        synchronized (lent) {
            open = new ArrayList<>(lent);
        }
        if (!open.isEmpty()) {
            LOG.warn("Closing hot store {} with {} cursors still open", directory, open.size());
            open.forEach(HotStoreResources::closeQuietly);
        }
        tables.values().forEach(HotTable::close); // their pending puts are not needed any more
        // RocksJava: column family handles before the DB, the DB before its options.
        columnHandles.forEach(HotStoreResources::closeQuietly);
        HotStoreResources.closeQuietly(db);
        resources.close();
        deleteQuietly(directory);
        LOG.info("Closed hot store in {}", directory);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Cannot use hot store in " + directory + ": closed");
        }
    }

    /** Registers a cursor lent out, so that close() can close it if its borrower did not. */
    void lend(ChangeCursor cursor) {
        synchronized (lent) { // a flush may read (and close) its cursor on another thread
            lent.add(cursor);
        }
    }

    void release(ChangeCursor cursor) {
        synchronized (lent) {
            lent.remove(cursor);
        }
    }

    int openCursors() {
        synchronized (lent) {
            return lent.size();
        }
    }

    /** Every native handle the store owns (column families, DB, options, cache): for tests. */
    List<RocksObject> nativeHandles() {
        List<RocksObject> all = new ArrayList<>(columnHandles);
        all.add(db);
        all.addAll(resources.handles());
        return all;
    }

    static boolean needsTtlIndex(TableDefinition definition) {
        return definition.options().ttlSeconds() != null && definition.primaryKeyIndex() >= 0;
    }

    /** The default column family, then each table's, each followed by its TTL index if any. */
    private static List<byte[]> columnFamilyNames(List<TableDefinition> definitions) {
        List<byte[]> names = new ArrayList<>();
        names.add(RocksDB.DEFAULT_COLUMN_FAMILY);
        Set<String> seen = new HashSet<>();
        for (TableDefinition definition : definitions) {
            if (!seen.add(definition.tableId())) {
                throw new IllegalArgumentException(
                        "Cannot open hot store: table " + definition.tableId() + " given twice");
            }
            names.add(bytes(definition.tableId()));
            if (needsTtlIndex(definition)) {
                names.add(bytes(definition.tableId() + TTL_SUFFIX));
            }
        }
        return names;
    }

    private static byte[] bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static void prepareDirectory(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> children = Files.list(directory)) {
                if (children.findAny().isPresent()) {
                    throw new IOException(
                            "Cannot open hot store in " + directory + ": directory is not empty");
                }
            }
        }
        Files.createDirectories(directory);
    }

    static void deleteQuietly(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(
                            path -> {
                                try {
                                    Files.deleteIfExists(path);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Cannot delete hot store directory {}: {}", directory, e.toString());
        }
    }
}
