package dev.tiered.state.layout;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;

import org.apache.flink.core.fs.Path;

/**
 * Where a table's files live under a storage's base URI (DESIGN §3):
 *
 * <pre>
 * base/ns/table/                  SHARED and STREAM tables: the scope directory
 * base/ns/table/userId/           USER tables: one scope directory per user (encoded, see UserIds)
 * base/ns/table/_table/schema-v.json, _log/, _hot/, _rejected/, _pins/    table-level files
 * </pre>
 *
 * Table-level names start with {@code _}, which no encoded user id can, so they never collide.
 */
public final class StorageLayout {
    public static final String TABLE_DIR = "_table";
    public static final String LOG_DIR = "_log";
    public static final String HOT_DIR = "_hot";
    public static final String REJECTED_DIR = "_rejected";
    public static final String PINS_DIR = "_pins";
    public static final String MANIFEST_FILE = "manifest.json";

    private final Path base;
    private final String normalizedBase;
    private final String namespace;
    private final String table;
    private final Path tableDir;
    private final TableType type;

    public StorageLayout(Path base, String namespace, String table, TableType type) {
        this.base = base;
        this.normalizedBase = normalize(base);
        this.namespace = namespace;
        this.table = table;
        this.tableDir = new Path(new Path(base, namespace), table);
        this.type = type;
    }

    public static StorageLayout of(Path base, TableDefinition definition) {
        return new StorageLayout(
                base, definition.namespace(), definition.name(), definition.type());
    }

    public Path tableDir() {
        return tableDir;
    }

    /** The base URI of the table's own storage. */
    public Path base() {
        return base;
    }

    /**
     * Whether {@code storage} (a base URI) is the table's own storage. Scopes record where they
     * live only when it is not.
     */
    public boolean isOwnStorage(String storage) {
        return storage == null || normalize(new Path(storage)).equals(normalizedBase);
    }

    /** Whether two storage base URIs (null: the table's own) name the same storage. */
    public boolean sameStorage(String a, String b) {
        return isOwnStorage(a)
                ? isOwnStorage(b)
                : !isOwnStorage(b) && normalize(new Path(a)).equals(normalize(new Path(b)));
    }

    /**
     * The scope directory: the table directory for SHARED and STREAM tables, the user's own
     * directory for USER tables.
     *
     * @param userId the owner for USER tables; ignored otherwise
     */
    public Path scopeDir(String userId) {
        if (type != TableType.USER) {
            return tableDir;
        }
        return new Path(tableDir, UserIds.encode(userId));
    }

    /**
     * The scope directory of a user in another storage ({@code USE_USER_STORAGE}): the same
     * relative place under that storage's base URI, so an export or erase of the user there is one
     * directory as well.
     *
     * @param storage the base URI of the scope's storage; null for the table's own
     */
    public Path scopeDir(String userId, String storage) {
        if (isOwnStorage(storage)) {
            return scopeDir(userId);
        }
        Path otherTableDir = tableDirIn(storage);
        return type == TableType.USER
                ? new Path(otherTableDir, UserIds.encode(userId))
                : otherTableDir;
    }

    /** Where this table's directory would be under another storage's base URI. */
    public Path tableDirIn(String storage) {
        return new Path(new Path(new Path(storage), namespace), table);
    }

    /** A storage base URI as commits record it: normalized, without a trailing slash. */
    public static String normalizeStorage(String storage) {
        return normalize(new Path(storage));
    }

    private static String normalize(Path path) {
        String uri = path.toUri().normalize().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    public Path schemaFile(int version) {
        return new Path(new Path(tableDir, TABLE_DIR), "schema-" + version + ".json");
    }

    public Path logDir() {
        return new Path(tableDir, LOG_DIR);
    }

    public Path hotDir() {
        return new Path(tableDir, HOT_DIR);
    }

    public Path rejectedDir() {
        return new Path(tableDir, REJECTED_DIR);
    }

    /** {@code _pins/}: commits readers have pinned; expiry keeps them. */
    public Path pinsDir() {
        return new Path(tableDir, PINS_DIR);
    }

    /** {@code _log/<N>.json}, zero-padded to 20 digits so that names sort in commit order. */
    public Path commitFile(long commit) {
        return new Path(logDir(), String.format("%020d.json", commit));
    }
}
