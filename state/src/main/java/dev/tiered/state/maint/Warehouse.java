package dev.tiered.state.maint;

import dev.tiered.state.TieredTable;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The tables of a storage: {@code <base>/<namespace>/<table>/_table/schema-<v>.json}. */
public final class Warehouse {
    private Warehouse() {}

    /** Every table under {@code base}, by namespace then name. */
    public static List<TieredTable> tables(TableFileIO io, Path base) throws IOException {
        List<TieredTable> tables = new ArrayList<>();
        List<String> namespaces = new ArrayList<>(io.list(base));
        namespaces.sort(null);
        for (String namespace : namespaces) {
            if (namespace.startsWith(".") || namespace.startsWith("_")) {
                continue;
            }
            List<String> names = new ArrayList<>(io.list(new Path(base, namespace)));
            names.sort(null);
            for (String name : names) {
                Path definitions =
                        new Path(
                                new Path(new Path(base, namespace), name), StorageLayout.TABLE_DIR);
                if (!name.startsWith(".") && io.exists(definitions)) {
                    tables.add(TieredTable.open(io, base, namespace, name));
                }
            }
        }
        return tables;
    }
}
