package dev.tiered.table.internal;

import dev.tiered.state.TableOptions;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.layout.UserStorages;
import dev.tiered.state.maint.Warehouse;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The named storages of a catalog (DESIGN §3): id to base URI, {@code local} being the warehouse. A
 * table lives in the storage its {@code STORAGE_ID} names, at {@code <base>/<namespace>/<table>}.
 */
@Internal
public final class Storages implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, String> uris;

    /**
     * @param uris storage id to base URI; must hold {@code local}
     */
    public Storages(Map<String, String> uris) {
        if (!uris.containsKey(TableOptions.DEFAULT_STORAGE_ID)) {
            throw new IllegalArgumentException("Cannot build storages without 'local'");
        }
        this.uris = new LinkedHashMap<>(uris);
    }

    /** Only {@code local}, at {@code baseUri}: the plain connector's view. */
    public static Storages local(String baseUri) {
        return new Storages(Map.of(TableOptions.DEFAULT_STORAGE_ID, baseUri));
    }

    public boolean exists(String storageId) {
        return uris.containsKey(storageId);
    }

    public Map<String, String> uris() {
        return new LinkedHashMap<>(uris);
    }

    /** The base URI of a storage; the id must exist. */
    public String uri(String storageId) {
        String uri = uris.get(storageId);
        if (uri == null) {
            throw new IllegalArgumentException("Storage '" + storageId + "' does not exist");
        }
        return uri;
    }

    public Path base(String storageId) {
        return new Path(uri(storageId));
    }

    public TableFileIO io() {
        return new FlinkFileIO();
    }

    /**
     * The user storage settings of the catalog ({@code USE_USER_STORAGE}): kept in the warehouse,
     * resolving to these storages.
     */
    public UserStorages userStorages() {
        return new UserStorages(uri(TableOptions.DEFAULT_STORAGE_ID), uris);
    }

    /** Bases without duplicates (two ids may name one URI). */
    public List<Path> distinctBases() {
        List<Path> bases = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String uri : uris.values()) {
            if (seen.add(new Path(uri).toUri().normalize().toString())) {
                bases.add(new Path(uri));
            }
        }
        return bases;
    }

    /** Opens a table wherever it lives, or empty. */
    public Optional<TieredTable> find(String namespace, String name) throws IOException {
        TableFileIO io = io();
        for (Path base : distinctBases()) {
            Path definitions =
                    new Path(new Path(new Path(base, namespace), name), StorageLayout.TABLE_DIR);
            if (io.exists(definitions)) {
                return Optional.of(
                        TieredTable.open(io, base, namespace, name)
                                .withUserStorages(userStorages()));
            }
        }
        return Optional.empty();
    }

    /** Every table of every storage, by storage then namespace then name. */
    public List<TieredTable> tables() throws IOException {
        List<TieredTable> tables = new ArrayList<>();
        TableFileIO io = io();
        for (Path base : distinctBases()) {
            if (io.exists(base)) {
                for (TieredTable table : Warehouse.tables(io, base)) {
                    tables.add(table.withUserStorages(userStorages()));
                }
            }
        }
        return tables;
    }

    /** Every table of one namespace. */
    public List<TieredTable> tables(String namespace) throws IOException {
        List<TieredTable> result = new ArrayList<>();
        for (TieredTable table : tables()) {
            if (table.definition().namespace().equals(namespace)) {
                result.add(table);
            }
        }
        return result;
    }
}
