package dev.tiered.sink.internal;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.layout.UserStorages;
import dev.tiered.state.meta.TableDefinitionParser;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A serializable reference to one table: its storage base URI and definition. Operators ship it and
 * open the table where they run.
 */
@Internal
public final class TableHandle implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String baseUri;
    private final String definitionJson;
    private final UserStorages userStorages;
    private transient TableDefinition definition;

    public TableHandle(String baseUri, TableDefinition definition) {
        this(baseUri, definition, null);
    }

    /**
     * @param userStorages where users of a {@code USE_USER_STORAGE} table are placed; null: in the
     *     table's own storage
     */
    public TableHandle(String baseUri, TableDefinition definition, UserStorages userStorages) {
        this.baseUri = baseUri;
        this.definitionJson = TableDefinitionParser.toJson(definition);
        this.userStorages = userStorages;
        this.definition = definition;
    }

    public String baseUri() {
        return baseUri;
    }

    public TableDefinition definition() {
        if (definition == null) {
            definition = TableDefinitionParser.fromJson(definitionJson);
        }
        return definition;
    }

    public String tableId() {
        return definition().tableId();
    }

    /** Column id to type, for the metadata codecs. */
    public IntFunction<LogicalType> columnTypes() {
        Map<Integer, LogicalType> types = new HashMap<>();
        definition().columns().forEach(c -> types.put(c.id(), c.type()));
        return types::get;
    }

    /** Opens the table in its storage, creating its definition file if it is missing. */
    public TieredTable open() throws IOException {
        TieredTable table = TieredTable.create(new FlinkFileIO(), new Path(baseUri), definition());
        return userStorages == null ? table : table.withUserStorages(userStorages);
    }
}
