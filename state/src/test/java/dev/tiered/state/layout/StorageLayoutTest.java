package dev.tiered.state.layout;

import dev.tiered.state.TableType;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StorageLayoutTest {
    private static final Path BASE = new Path("s3://bucket/warehouse");

    @Test
    void userTablesHaveADirectoryPerUser() {
        StorageLayout layout = new StorageLayout(BASE, "chat", "messages", TableType.USER);
        assertThat(layout.scopeDir("alice"))
                .hasToString("s3://bucket/warehouse/chat/messages/alice");
        assertThat(layout.scopeDir("bob smith"))
                .hasToString("s3://bucket/warehouse/chat/messages/bob%20smith");
    }

    @Test
    void sharedAndStreamTablesAreOneScope() {
        for (TableType type : new TableType[] {TableType.SHARED, TableType.STREAM}) {
            StorageLayout layout = new StorageLayout(BASE, "app", "config", type);
            assertThat(layout.scopeDir(null)).isEqualTo(layout.tableDir());
        }
    }

    @Test
    void tableLevelFilesLiveUnderUnderscoreNames() {
        StorageLayout layout = new StorageLayout(BASE, "chat", "messages", TableType.USER);
        assertThat(layout.schemaFile(3))
                .hasToString("s3://bucket/warehouse/chat/messages/_table/schema-3.json");
        assertThat(layout.commitFile(42))
                .hasToString("s3://bucket/warehouse/chat/messages/_log/00000000000000000042.json");
        assertThat(layout.hotDir()).hasToString("s3://bucket/warehouse/chat/messages/_hot");
        assertThat(layout.rejectedDir())
                .hasToString("s3://bucket/warehouse/chat/messages/_rejected");
    }
}
