package dev.tiered.source;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import java.time.Duration;

import static org.apache.flink.configuration.description.TextElement.text;

/** Job-level options of the tiered source ({@code scan.*}). */
@PublicEvolving
public final class SourceOptions {

    /** Where a streaming scan starts (DESIGN §6). */
    @PublicEvolving
    public enum ScanMode implements DescribedEnum {
        FULL("full", "The current table, then every new change."),
        LATEST("latest", "Only changes committed after the job starts."),
        FROM_COMMIT("from-commit", "Changes committed after 'scan.commit'.");

        private final String value;
        private final String description;

        ScanMode(String value, String description) {
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

    public static final ConfigOption<ScanMode> SCAN_MODE =
            ConfigOptions.key("scan.mode")
                    .enumType(ScanMode.class)
                    .defaultValue(ScanMode.FULL)
                    .withDescription("Where a streaming scan starts.");

    public static final ConfigOption<Long> SCAN_COMMIT =
            ConfigOptions.key("scan.commit")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Time travel: read the table as of this commit number (batch), or start"
                                    + " after it (streaming, scan.mode 'from-commit').");

    public static final ConfigOption<String> SCAN_TIMESTAMP =
            ConfigOptions.key("scan.timestamp")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Time travel: read the table as of the last commit at or before this"
                                    + " time, as epoch milliseconds or 'yyyy-MM-dd HH:mm:ss[.SSS]'"
                                    + " (UTC).");

    public static final ConfigOption<Duration> DISCOVERY_INTERVAL =
            ConfigOptions.key("scan.discovery-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("How often a streaming scan looks for new commits.");

    private SourceOptions() {}
}
