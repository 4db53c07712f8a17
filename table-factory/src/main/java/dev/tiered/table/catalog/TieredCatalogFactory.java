package dev.tiered.table.catalog;

import dev.tiered.state.TableOptions;
import dev.tiered.table.internal.Storages;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Catalog;
import org.apache.flink.table.factories.CatalogFactory;
import org.apache.flink.table.factories.FactoryUtil;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code CREATE CATALOG c WITH ('type' = 'tiered', 'warehouse' = '...')}. */
@PublicEvolving
public final class TieredCatalogFactory implements CatalogFactory {
    public static final String IDENTIFIER = "tiered";

    private static final Pattern STORAGE_ID = Pattern.compile("^[a-zA-Z0-9_-]+$");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(CatalogOptions.WAREHOUSE);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(CatalogOptions.DEFAULT_DATABASE);
    }

    @Override
    public Catalog createCatalog(Context context) {
        FactoryUtil.CatalogFactoryHelper helper =
                FactoryUtil.createCatalogFactoryHelper(this, context);
        helper.validateExcept(CatalogOptions.STORAGE_PREFIX);
        Map<String, String> storages = new LinkedHashMap<>();
        storages.put(
                TableOptions.DEFAULT_STORAGE_ID, helper.getOptions().get(CatalogOptions.WAREHOUSE));
        context.getOptions()
                .forEach(
                        (key, value) -> {
                            if (!key.startsWith(CatalogOptions.STORAGE_PREFIX)) {
                                return;
                            }
                            String id = key.substring(CatalogOptions.STORAGE_PREFIX.length());
                            if (!STORAGE_ID.matcher(id).matches()) {
                                throw new ValidationException(
                                        "Invalid STORAGE_ID '"
                                                + id
                                                + "'. Only alphanumeric, underscore, and hyphen"
                                                + " allowed.");
                            }
                            if (id.equals(TableOptions.DEFAULT_STORAGE_ID)) {
                                throw new ValidationException(
                                        "Cannot declare storage 'local': it is the warehouse");
                            }
                            storages.put(id, value);
                        });
        return new TieredCatalog(
                context.getName(),
                helper.getOptions().get(CatalogOptions.DEFAULT_DATABASE),
                new Storages(storages));
    }
}
