package dev.tiered.table.catalog;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.catalog.CommonCatalogOptions;

/** Options of {@code CREATE CATALOG c WITH ('type' = 'tiered', ...)}. */
@PublicEvolving
public final class CatalogOptions {

    public static final ConfigOption<String> WAREHOUSE =
            ConfigOptions.key("warehouse")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base URI of the catalog's warehouse: the storage 'local', where"
                                    + " databases and table metadata live.");

    public static final ConfigOption<String> DEFAULT_DATABASE =
            ConfigOptions.key(CommonCatalogOptions.DEFAULT_DATABASE_KEY)
                    .stringType()
                    .defaultValue("default")
                    .withDescription("The database USE CATALOG starts in.");

    /**
     * Prefix of named storages: {@code 'storage.<id>' = '<base URI>'} declares storage {@code <id>}
     * for {@code STORAGE_ID}.
     */
    public static final String STORAGE_PREFIX = "storage.";

    private CatalogOptions() {}
}
