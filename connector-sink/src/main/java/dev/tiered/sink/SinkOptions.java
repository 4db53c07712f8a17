package dev.tiered.sink;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.description.InlineElement;

import java.time.Duration;
import java.util.List;

import static org.apache.flink.configuration.description.TextElement.text;

/** Job-level options of the tiered sink ({@code sink.*}, {@code hot.*}). */
@PublicEvolving
public final class SinkOptions {

    /** What the sink does with a row it cannot store (DESIGN §5). */
    @PublicEvolving
    public enum BadRowsMode implements DescribedEnum {
        FAIL("fail", "Fail the job; the error names the table, column and reason."),
        SKIP("skip", "Drop the row and count it in the numRowsRejected metric."),
        DEAD_LETTER(
                "dead-letter",
                "Write the row and the reason under the table's _rejected/ directory.");

        private final String value;
        private final String description;

        BadRowsMode(String value, String description) {
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

    public static final ConfigOption<BadRowsMode> BAD_ROWS =
            ConfigOptions.key("sink.bad-rows")
                    .enumType(BadRowsMode.class)
                    .defaultValue(BadRowsMode.FAIL)
                    .withDescription(
                            "What to do with a row that has a null key, a null or invalid user id, or a"
                                    + " value the schema cannot hold.");

    public static final ConfigOption<Boolean> FLUSH_ON_END_OF_INPUT =
            ConfigOptions.key("sink.flush-on-end-of-input")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether a bounded job flushes every hot row to Parquet when its input"
                                    + " ends. When false, the rows stay hot (committed as hot"
                                    + " segments) until a later flush.");

    public static final ConfigOption<List<String>> HOT_LOCAL_DIRS =
            ConfigOptions.key("hot.local-dirs")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Local directories for the writers' RocksDB hot stores (as"
                                    + " state.backend.rocksdb.localdir is for keyed state); a"
                                    + " writer takes one by its subtask index. By default the"
                                    + " TaskManager's io.tmp.dirs, read from the Flink"
                                    + " configuration in FLINK_CONF_DIR, else java.io.tmpdir.");

    public static final ConfigOption<MemorySize> HOT_MAX_BYTES =
            ConfigOptions.key("hot.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("256mb"))
                    .withDescription(
                            "Cap on a writer's hot rows of one table. Past it, the largest scopes"
                                    + " are flushed at the next checkpoint whatever their"
                                    + " FLUSH_POLICY says.");

    public static final ConfigOption<Duration> MAINTENANCE_INTERVAL =
            ConfigOptions.key("sink.maintenance.interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "How often, at most, the sink's committer maintains the table after a"
                                    + " commit, in the background: it compacts the scopes with"
                                    + " more than 'compaction.max-files' batches and expires the"
                                    + " commits beyond 'log.retain-commits' and 'log.retain-time'"
                                    + " (and the files only they referenced). A failed run is"
                                    + " logged and retried at the next interval; it never fails"
                                    + " the job. 0 turns it off.");

    private SinkOptions() {}
}
