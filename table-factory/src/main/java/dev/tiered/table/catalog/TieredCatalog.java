package dev.tiered.table.catalog;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableValidationException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.meta.TableDefinitionParser;
import dev.tiered.table.TieredDynamicTableFactory;
import dev.tiered.table.function.NowFunction;
import dev.tiered.table.function.SnowflakeIdFunction;
import dev.tiered.table.internal.Storages;
import dev.tiered.table.internal.SystemTables;
import dev.tiered.table.procedure.ProcedureBase;
import dev.tiered.table.procedure.Procedures;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.CatalogDatabase;
import org.apache.flink.table.catalog.CatalogDatabaseImpl;
import org.apache.flink.table.catalog.CatalogFunction;
import org.apache.flink.table.catalog.CatalogFunctionImpl;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.FunctionLanguage;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.exceptions.CatalogException;
import org.apache.flink.table.catalog.exceptions.DatabaseAlreadyExistException;
import org.apache.flink.table.catalog.exceptions.DatabaseNotEmptyException;
import org.apache.flink.table.catalog.exceptions.DatabaseNotExistException;
import org.apache.flink.table.catalog.exceptions.FunctionNotExistException;
import org.apache.flink.table.catalog.exceptions.ProcedureNotExistException;
import org.apache.flink.table.catalog.exceptions.TableAlreadyExistException;
import org.apache.flink.table.catalog.exceptions.TableNotExistException;
import org.apache.flink.table.factories.Factory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.procedures.Procedure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The tiered catalog: databases are namespaces (directories of the warehouse), tables are the
 * tiered tables in the catalog's storages, and everything lives in the warehouse itself — a second
 * catalog over the same warehouse (another SQL client, another JVM) sees the same databases, tables
 * and rows. Also: the {@code system} database of read-only metadata tables, per-table views {@code
 * t$files}/{@code t$commits}/{@code t$scopes}, the {@code sys.*} procedures and the functions
 * {@code SNOWFLAKE_ID()} and {@code NOW()}.
 */
@PublicEvolving
public final class TieredCatalog extends UnpartitionedCatalog {
    /** Marks a namespace directory as a database (object stores have no empty directories). */
    static final String NAMESPACE_MARKER = ".namespace";

    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_]+$");
    private static final Map<String, Class<?>> FUNCTIONS =
            Map.of("snowflake_id", SnowflakeIdFunction.class, "now", NowFunction.class);

    private final Storages storages;
    private final Clock clock;

    public TieredCatalog(String name, String defaultDatabase, Storages storages) {
        super(name, defaultDatabase);
        this.storages = storages;
        this.clock = Clock.systemUTC();
    }

    @Override
    public void open() throws CatalogException {
        try {
            Path marker = new Path(new Path(warehouse(), getDefaultDatabase()), NAMESPACE_MARKER);
            storages.io().createIfAbsent(marker, new byte[0]);
        } catch (IOException e) {
            throw new CatalogException(
                    "Cannot open catalog " + getName() + " at " + warehouse(), e);
        }
    }

    @Override
    public void close() {}

    @Override
    public Optional<Factory> getFactory() {
        return Optional.of(TieredDynamicTableFactory.forCatalog(storages));
    }

    private Path warehouse() {
        return storages.base(dev.tiered.state.TableOptions.DEFAULT_STORAGE_ID);
    }

    // ---------------------------------------------------------------- databases

    @Override
    public List<String> listDatabases() {
        TreeSet<String> names = new TreeSet<>();
        names.add(SystemTables.DATABASE);
        try {
            for (Path base : storages.distinctBases()) {
                if (!storages.io().exists(base)) {
                    continue;
                }
                for (String name : storages.io().list(base)) {
                    if (NAME.matcher(name).matches()
                            && !name.startsWith("_")
                            && isNamespace(new Path(base, name))) {
                        names.add(name);
                    }
                }
            }
        } catch (IOException e) {
            throw new CatalogException("Cannot list the databases of " + getName(), e);
        }
        return new ArrayList<>(names);
    }

    /**
     * A directory is a namespace if a catalog created it (its marker) or it holds a table (a
     * plain-connector job wrote one there); anything else under a storage base is not.
     */
    private boolean isNamespace(Path dir) throws IOException {
        if (storages.io().exists(new Path(dir, NAMESPACE_MARKER))) {
            return true;
        }
        for (String child : storages.io().list(dir)) {
            if (storages.io().exists(new Path(new Path(dir, child), StorageLayout.TABLE_DIR))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public CatalogDatabase getDatabase(String databaseName) throws DatabaseNotExistException {
        if (!databaseExists(databaseName)) {
            throw new DatabaseNotExistException(getName(), databaseName);
        }
        String comment =
                SystemTables.DATABASE.equals(databaseName)
                        ? "read-only metadata of the tiered catalog"
                        : "tiered namespace " + databaseName;
        return new CatalogDatabaseImpl(Map.of(), comment);
    }

    @Override
    public boolean databaseExists(String databaseName) {
        return SystemTables.DATABASE.equals(databaseName) || listDatabases().contains(databaseName);
    }

    @Override
    public void createDatabase(String name, CatalogDatabase database, boolean ignoreIfExists)
            throws DatabaseAlreadyExistException {
        if (databaseExists(name)) {
            if (ignoreIfExists) {
                return;
            }
            throw new DatabaseAlreadyExistException(getName(), name);
        }
        if (!NAME.matcher(name).matches() || name.startsWith("_")) {
            throw new CatalogException(
                    "Invalid namespace '" + name + "'. Only alphanumeric and underscore allowed.");
        }
        try {
            storages.io()
                    .createIfAbsent(
                            new Path(new Path(warehouse(), name), NAMESPACE_MARKER), new byte[0]);
        } catch (IOException e) {
            throw new CatalogException("Cannot create database " + name, e);
        }
    }

    @Override
    public void dropDatabase(String name, boolean ignoreIfNotExists, boolean cascade)
            throws DatabaseNotExistException, DatabaseNotEmptyException {
        if (SystemTables.DATABASE.equals(name)) {
            throw new CatalogException("Cannot drop database system: it is built in");
        }
        if (!databaseExists(name)) {
            if (ignoreIfNotExists) {
                return;
            }
            throw new DatabaseNotExistException(getName(), name);
        }
        List<String> tables = listTables(name);
        if (!tables.isEmpty() && !cascade) {
            throw new DatabaseNotEmptyException(getName(), name);
        }
        try {
            for (String table : tables) {
                dropTable(new ObjectPath(name, table), true);
            }
            for (Path base : storages.distinctBases()) {
                Path dir = new Path(base, name);
                FileSystem fs = dir.getFileSystem();
                if (fs.exists(dir)) {
                    fs.delete(dir, true);
                }
            }
        } catch (IOException | TableNotExistException e) {
            throw new CatalogException("Cannot drop database " + name, e);
        }
    }

    @Override
    public void alterDatabase(String name, CatalogDatabase newDatabase, boolean ignoreIfNotExists) {
        throw new CatalogException(
                "Cannot alter database " + name + ": tiered namespaces have no properties");
    }

    // ---------------------------------------------------------------- tables

    @Override
    public List<String> listTables(String databaseName) throws DatabaseNotExistException {
        if (SystemTables.DATABASE.equals(databaseName)) {
            return SystemTables.Kind.globalNames();
        }
        if (!databaseExists(databaseName)) {
            throw new DatabaseNotExistException(getName(), databaseName);
        }
        try {
            List<String> names = new ArrayList<>();
            for (TieredTable table : storages.tables(databaseName)) {
                names.add(table.definition().name());
            }
            return names;
        } catch (IOException e) {
            throw new CatalogException("Cannot list the tables of " + databaseName, e);
        }
    }

    @Override
    public List<String> listViews(String databaseName) {
        return List.of();
    }

    @Override
    public CatalogBaseTable getTable(ObjectPath path) throws TableNotExistException {
        String db = path.getDatabaseName();
        String name = path.getObjectName();
        if (SystemTables.DATABASE.equals(db)) {
            SystemTables.Kind kind =
                    SystemTables.Kind.global(name)
                            .orElseThrow(() -> new TableNotExistException(getName(), path));
            return systemTable(kind, null);
        }
        int dollar = name.indexOf('$');
        if (dollar > 0) {
            SystemTables.Kind kind =
                    SystemTables.Kind.perTable(name.substring(dollar + 1).toLowerCase(Locale.ROOT))
                            .orElseThrow(() -> new TableNotExistException(getName(), path));
            TieredTable base =
                    find(db, name.substring(0, dollar))
                            .orElseThrow(() -> new TableNotExistException(getName(), path));
            return systemTable(kind, base.definition().tableId());
        }
        TieredTable table =
                find(db, name).orElseThrow(() -> new TableNotExistException(getName(), path));
        return CatalogTables.toCatalogTable(table.definition());
    }

    private static CatalogTable systemTable(SystemTables.Kind kind, String viewOf) {
        Map<String, String> options =
                viewOf == null
                        ? Map.of(SystemTables.OPTION_KIND, kind.name())
                        : Map.of(
                                SystemTables.OPTION_KIND,
                                kind.name(),
                                SystemTables.OPTION_VIEW_OF,
                                viewOf);
        return CatalogTable.newBuilder()
                .schema(kind.schema())
                .comment("read-only tiered metadata")
                .options(options)
                .build();
    }

    @Override
    public boolean tableExists(ObjectPath path) {
        try {
            getTable(path);
            return true;
        } catch (TableNotExistException e) {
            return false;
        }
    }

    private Optional<TieredTable> find(String db, String name) {
        if (!NAME.matcher(db).matches() || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        try {
            return storages.find(db, name);
        } catch (IOException e) {
            throw new CatalogException("Cannot open table " + db + "." + name, e);
        }
    }

    @Override
    public void createTable(ObjectPath path, CatalogBaseTable table, boolean ignoreIfExists)
            throws TableAlreadyExistException, DatabaseNotExistException {
        String db = path.getDatabaseName();
        if (SystemTables.DATABASE.equals(db)) {
            throw new CatalogException("Cannot create table in database system: it is read-only");
        }
        if (!databaseExists(db)) {
            throw new DatabaseNotExistException(getName(), db);
        }
        if (tableExists(path)) {
            if (ignoreIfExists) {
                return;
            }
            throw new TableAlreadyExistException(getName(), path);
        }
        TableDefinition definition = definitionOf(path, table);
        try {
            TieredTable.create(
                    storages.io(), storages.base(definition.options().storageId()), definition);
        } catch (TableValidationException e) {
            throw new TableAlreadyExistException(getName(), path, e);
        } catch (IOException e) {
            throw new CatalogException("Cannot create table " + definition.tableId(), e);
        }
    }

    /** Validates a DDL table like the connector does (unknown keys, DESIGN §4 messages). */
    private TableDefinition definitionOf(ObjectPath path, CatalogBaseTable table) {
        if (!(table instanceof ResolvedCatalogTable resolved)) {
            throw new CatalogException(
                    "Cannot create "
                            + path.getFullName()
                            + ": the tiered catalog stores tables only");
        }
        String connector = resolved.getOptions().get(FactoryUtil.CONNECTOR.key());
        if (connector != null && !TieredDynamicTableFactory.IDENTIFIER.equals(connector)) {
            throw new ValidationException(
                    "Cannot create table "
                            + path.getFullName()
                            + " with 'connector' = '"
                            + connector
                            + "': a tiered catalog holds tiered tables only (declare other"
                            + " connectors as TEMPORARY tables)");
        }
        return TieredDynamicTableFactory.forCatalog(storages)
                .definitionOf(
                        new FactoryUtil.DefaultDynamicTableContext(
                                ObjectIdentifier.of(
                                        getName(), path.getDatabaseName(), path.getObjectName()),
                                resolved,
                                Map.of(),
                                new Configuration(),
                                Thread.currentThread().getContextClassLoader(),
                                false));
    }

    @Override
    public void dropTable(ObjectPath path, boolean ignoreIfNotExists)
            throws TableNotExistException {
        if (SystemTables.DATABASE.equals(path.getDatabaseName())
                || path.getObjectName().contains("$")) {
            throw new CatalogException(
                    "Cannot drop " + path.getFullName() + ": system tables are read-only");
        }
        Optional<TieredTable> table = find(path.getDatabaseName(), path.getObjectName());
        if (table.isEmpty()) {
            if (ignoreIfNotExists) {
                return;
            }
            throw new TableNotExistException(getName(), path);
        }
        Path dir = table.get().layout().tableDir();
        try {
            // users kept in other storages (USE_USER_STORAGE), found before the log goes
            List<Path> elsewhere = new ArrayList<>();
            for (Path other : table.get().userStorageTableDirs(table.get().latestState())) {
                if (!table.get().io().exists(new Path(other, StorageLayout.TABLE_DIR))) {
                    elsewhere.add(other);
                }
            }
            // The definitions go first: from then on no catalog lists the table, even if the
            // rest of the delete fails half-way.
            Path definitions = new Path(dir, StorageLayout.TABLE_DIR);
            dir.getFileSystem().delete(definitions, true);
            for (Path other : elsewhere) {
                other.getFileSystem().delete(other, true);
            }
            dir.getFileSystem().delete(dir, true);
        } catch (IOException e) {
            throw new CatalogException("Cannot drop table " + path.getFullName(), e);
        }
    }

    @Override
    public void renameTable(ObjectPath path, String newTableName, boolean ignoreIfNotExists) {
        throw new CatalogException(
                "Cannot rename "
                        + path.getFullName()
                        + ": a tiered table's files are named after it (create a new table and"
                        + " INSERT INTO it)");
    }

    @Override
    public void alterTable(ObjectPath path, CatalogBaseTable newTable, boolean ignoreIfNotExists)
            throws TableNotExistException {
        Optional<TieredTable> existing = find(path.getDatabaseName(), path.getObjectName());
        if (existing.isEmpty()) {
            if (ignoreIfNotExists) {
                return;
            }
            throw new TableNotExistException(getName(), path);
        }
        if (!(newTable instanceof ResolvedCatalogTable resolved)) {
            throw new CatalogException("Cannot alter " + path.getFullName() + ": not a table");
        }
        TieredTable table = existing.get();
        TableDefinition next =
                CatalogTables.nextVersion(table.definition(), resolved, storages::exists);
        byte[] json = TableDefinitionParser.toJson(next).getBytes(StandardCharsets.UTF_8);
        try {
            if (!table.io().createIfAbsent(table.layout().schemaFile(next.schemaVersion()), json)) {
                throw new CatalogException(
                        "Cannot alter table "
                                + path.getFullName()
                                + ": it was altered concurrently (version "
                                + next.schemaVersion()
                                + " exists); try again");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot alter table " + path.getFullName(), e);
        }
    }

    // ---------------------------------------------------------------- functions and procedures

    @Override
    public List<String> listFunctions(String dbName) {
        return new ArrayList<>(new TreeSet<>(FUNCTIONS.keySet()));
    }

    @Override
    public CatalogFunction getFunction(ObjectPath path) throws FunctionNotExistException {
        Class<?> function = FUNCTIONS.get(path.getObjectName().toLowerCase(Locale.ROOT));
        if (function == null) {
            throw new FunctionNotExistException(getName(), path);
        }
        return new CatalogFunctionImpl(function.getName(), FunctionLanguage.JAVA);
    }

    @Override
    public boolean functionExists(ObjectPath path) {
        return FUNCTIONS.containsKey(path.getObjectName().toLowerCase(Locale.ROOT));
    }

    @Override
    public void createFunction(ObjectPath path, CatalogFunction function, boolean ignoreIfExists) {
        throw new CatalogException(
                "Cannot create function "
                        + path.getFullName()
                        + ": the tiered catalog's functions are built in (use a temporary"
                        + " function)");
    }

    @Override
    public void alterFunction(ObjectPath path, CatalogFunction function, boolean ignore) {
        throw new CatalogException(
                "Cannot alter function " + path.getFullName() + ": it is built in");
    }

    @Override
    public void dropFunction(ObjectPath path, boolean ignoreIfNotExists) {
        throw new CatalogException(
                "Cannot drop function " + path.getFullName() + ": it is built in");
    }

    @Override
    public List<String> listProcedures(String dbName) throws DatabaseNotExistException {
        if (!ProcedureBase.DATABASE.equals(dbName)) {
            if (!databaseExists(dbName)) {
                throw new DatabaseNotExistException(getName(), dbName);
            }
            return List.of();
        }
        return Procedures.names();
    }

    @Override
    public Procedure getProcedure(ObjectPath path) throws ProcedureNotExistException {
        if (ProcedureBase.DATABASE.equals(path.getDatabaseName())) {
            Optional<Procedure> procedure =
                    Procedures.create(path.getObjectName(), storages, clock);
            if (procedure.isPresent()) {
                return procedure.get();
            }
        }
        throw new ProcedureNotExistException(getName(), path);
    }
}
