package dev.tiered.source;

import dev.tiered.source.testing.Messages;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.types.logical.RowType;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every cross-field check of the builder, with the messages users see. */
class TieredSourceBuilderTest {
    @TempDir File warehouse;
    private String uri;

    @BeforeEach
    void createTable() throws Exception {
        Messages.createTable(warehouse, "rows:10");
        uri = warehouse.toURI().toString();
    }

    private TieredSourceBuilder<?> source() {
        return TieredSource.forRowData(uri, Messages.TABLE);
    }

    @Test
    void buildsBoundedByDefaultWithTheProjectedRowType() {
        TieredSource<?> source = source().selectColumns("content", "id").build();
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
        assertThat(source.producedRowType().getFieldNames()).containsExactly("content", "id");
        assertThat(source.producedRowType()).isInstanceOf(RowType.class);
        assertThat(source().streaming().build().getBoundedness())
                .isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
    }

    @Test
    void optionsAreApplied() {
        Configuration options = new Configuration();
        options.setString("scan.mode", "from-commit");
        options.setString("scan.timestamp", "2025-11-20 10:00:00.250");
        TieredSource<?> source = source().streaming().withOptions(options).build();
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(TieredSourceBuilder.parseTimestamp("2025-11-20 10:00:00.250"))
                .isEqualTo(1_763_632_800_250L);
        assertThat(TieredSourceBuilder.parseTimestamp("1763632800250"))
                .isEqualTo(1_763_632_800_250L);
        assertThatThrownBy(() -> TieredSourceBuilder.parseTimestamp("yesterday"))
                .hasMessage(
                        "Cannot parse 'scan.timestamp' value 'yesterday': expected epoch"
                                + " milliseconds or 'yyyy-MM-dd HH:mm:ss[.SSS]'");
    }

    @Test
    void conflictingSettingsFailNamingWhatToChange() {
        String prefix = "Cannot build tiered source for chat.messages: ";
        assertThatThrownBy(() -> TieredSource.forRowData(uri, "messages").build())
                .hasMessage(
                        "Cannot build tiered source: table id 'messages' is not 'namespace.table'");
        assertThatThrownBy(() -> source().selectColumns("id", "nope").build())
                .hasMessageStartingWith(prefix + "no column 'nope'");
        assertThatThrownBy(() -> source().atCommit(1).atTimestamp(5).build())
                .hasMessage(prefix + "set 'scan.commit' or 'scan.timestamp', not both");
        assertThatThrownBy(
                        () ->
                                source().streaming()
                                        .scanMode(SourceOptions.ScanMode.FROM_COMMIT)
                                        .build())
                .hasMessage(
                        prefix
                                + "'scan.commit' or 'scan.timestamp' is required in 'from-commit'"
                                + " scan mode");
        assertThatThrownBy(
                        () ->
                                source().streaming()
                                        .scanMode(SourceOptions.ScanMode.LATEST)
                                        .atCommit(3)
                                        .build())
                .hasMessageStartingWith(prefix + "'latest' scan mode starts at the newest commit");
        assertThatThrownBy(() -> source().streaming().withLimit(10).build())
                .hasMessage(prefix + "a limit must be >= 0 and is only for bounded reads");
        assertThatThrownBy(() -> source().withKeyRange("a", null).build())
                .hasMessage("Cannot use a (String) as a bound of a BIGINT NOT NULL key");
        assertThatThrownBy(() -> source().forUser("../etc").build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
