package dev.tiered.state.layout;

import dev.tiered.state.TieredException;
import dev.tiered.state.io.TableFileIO;

import org.apache.flink.core.fs.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Per-user storage settings, for USER tables with {@code USE_USER_STORAGE} (DESIGN §4): a user may
 * be assigned one of the catalog's named storages, and such tables then keep that user's scope
 * directory (manifests and batches) in that storage instead of the table's.
 *
 * <p>Settings live in the warehouse (the {@code local} storage) as {@code _users/<encoded user
 * id>.json} = {@code {"user_id": ..., "storage_id": ...}}, so every SQL client and job of the
 * catalog sees the same assignment. An assignment decides where a user's scope is <em>created</em>;
 * the commit that creates it records the storage, and the scope stays there (changing the
 * assignment later moves nothing: export, erase and rewrite to move a user).
 *
 * <p>Serializable: sinks carry it to their writers. Reads happen once per new scope, never per row.
 */
public final class UserStorages implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The directory of user settings under the warehouse. */
    public static final String USERS_DIR = "_users";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String USER_ID = "user_id";
    private static final String STORAGE_ID = "storage_id";

    private final String warehouse;
    private final LinkedHashMap<String, String> storages;

    /**
     * @param warehouse the base URI of the {@code local} storage, where settings live
     * @param storages every storage id the catalog declares, to its base URI
     */
    public UserStorages(String warehouse, Map<String, String> storages) {
        this.warehouse = Objects.requireNonNull(warehouse, "warehouse");
        this.storages = new LinkedHashMap<>(storages);
    }

    /** The storage ids this instance resolves, to their base URIs. */
    public Map<String, String> storages() {
        return new LinkedHashMap<>(storages);
    }

    /** The storage id assigned to {@code userId}, if any. */
    public Optional<String> storageOf(TableFileIO io, String userId) throws IOException {
        Path file = settingsFile(userId);
        if (!io.exists(file)) {
            return Optional.empty();
        }
        JsonNode node = MAPPER.readTree(io.read(file));
        JsonNode storage = node.get(STORAGE_ID);
        if (storage == null || !storage.isTextual()) {
            throw new TieredException(
                    "Cannot read the storage setting of user '" + userId + "' in " + file);
        }
        return Optional.of(storage.asText());
    }

    /**
     * The base URI of the storage assigned to {@code userId}, or empty if none is.
     *
     * @throws TieredException if the assigned storage is not one this instance knows (declared
     *     after the job started, or removed from the catalog): data must not silently land in
     *     another storage than the one a user was assigned
     */
    public Optional<String> baseOf(TableFileIO io, String userId, String tableId)
            throws IOException {
        Optional<String> storageId = storageOf(io, userId);
        if (storageId.isEmpty()) {
            return Optional.empty();
        }
        String base = storages.get(storageId.get());
        if (base == null) {
            throw new TieredException(
                    "Cannot place user '"
                            + userId
                            + "' of table "
                            + tableId
                            + ": the user is assigned storage '"
                            + storageId.get()
                            + "', which is not one of "
                            + storages.keySet()
                            + " (declare it on the catalog and restart the job)");
        }
        return Optional.of(base);
    }

    /**
     * Assigns {@code storageId} to {@code userId}, replacing any earlier assignment.
     *
     * @throws IllegalArgumentException if the storage does not exist
     */
    public void assign(TableFileIO io, String userId, String storageId) throws IOException {
        if (!storages.containsKey(storageId)) {
            throw new IllegalArgumentException("Storage '" + storageId + "' does not exist");
        }
        ObjectNode node = MAPPER.createObjectNode();
        node.put(USER_ID, userId);
        node.put(STORAGE_ID, storageId);
        io.overwrite(settingsFile(userId), MAPPER.writeValueAsBytes(node));
    }

    /** Removes the assignment of {@code userId}; true if there was one. */
    public boolean clear(TableFileIO io, String userId) throws IOException {
        return io.delete(settingsFile(userId));
    }

    /** Every assignment, user id to storage id, by user id. */
    public Map<String, String> assignments(TableFileIO io) throws IOException {
        Map<String, String> result = new TreeMap<>();
        for (String name : io.list(usersDir())) {
            if (!name.endsWith(".json")) {
                continue;
            }
            String userId = UserIds.decode(name.substring(0, name.length() - ".json".length()));
            storageOf(io, userId).ifPresent(storage -> result.put(userId, storage));
        }
        return result;
    }

    private Path usersDir() {
        return new Path(new Path(warehouse), USERS_DIR);
    }

    private Path settingsFile(String userId) {
        return new Path(usersDir(), UserIds.encode(userId) + ".json");
    }
}
