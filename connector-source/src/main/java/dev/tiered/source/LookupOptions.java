package dev.tiered.source;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import java.time.Duration;

import static org.apache.flink.configuration.description.TextElement.text;

/**
 * Options of lookups ({@code lookup.*}), with the keys of Flink's own lookup options. The cache is
 * the function's own: it follows the commit log and drops the entries of every key a new commit
 * changes, so it never serves a value older than the last refresh.
 */
@PublicEvolving
public final class LookupOptions {

    /** Whether looked-up rows are cached. */
    @PublicEvolving
    public enum CacheMode implements DescribedEnum {
        NONE("NONE", "Every lookup reads the table."),
        PARTIAL("PARTIAL", "Looked-up keys are cached, kept current by following the commit log.");

        private final String value;
        private final String description;

        CacheMode(String value, String description) {
            this.value = value;
            this.description = description;
        }

        @Override
        public String toString() {
            return value;
        }

        @Override
        public InlineElement getDescription() {
            return text(description);
        }
    }

    public static final ConfigOption<CacheMode> CACHE =
            ConfigOptions.key("lookup.cache")
                    .enumType(CacheMode.class)
                    .defaultValue(CacheMode.PARTIAL)
                    .withDescription("Whether lookups cache the rows they read.");

    public static final ConfigOption<Long> PARTIAL_CACHE_MAX_ROWS =
            ConfigOptions.key("lookup.partial-cache.max-rows")
                    .longType()
                    .defaultValue(10_000L)
                    .withDescription("Keys the cache holds at most; the least recently used go.");

    public static final ConfigOption<Duration> PARTIAL_CACHE_EXPIRE_AFTER_WRITE =
            ConfigOptions.key("lookup.partial-cache.expire-after-write")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Drop a cached key this long after it was read, even if no commit"
                                    + " changed it.");

    public static final ConfigOption<Boolean> PARTIAL_CACHE_CACHE_MISSING_KEY =
            ConfigOptions.key("lookup.partial-cache.cache-missing-key")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Cache that a key has no row (until a commit writes it).");

    public static final ConfigOption<Duration> REFRESH_INTERVAL =
            ConfigOptions.key("lookup.refresh-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "How often a lookup checks the commit log for new commits; a lookup"
                                    + " sees every commit older than this. 0 checks on every"
                                    + " lookup.");

    private LookupOptions() {}
}
