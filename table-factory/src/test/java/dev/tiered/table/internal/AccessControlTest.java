package dev.tiered.table.internal;

import dev.tiered.state.TableDefinition;
import dev.tiered.table.AccessDeniedException;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The DESIGN §6 rules, role by role, without a cluster. */
class AccessControlTest {
    private static final Session ALICE = new Session(Session.Role.USER, "alice");
    private static final Session SERVICE = new Session(Session.Role.SERVICE, null);
    private static final Session DBA = new Session(Session.Role.DBA, null);

    private static TableDefinition table(String name, Map<String, String> options) {
        List<Map.Entry<String, LogicalType>> columns =
                List.of(
                        new AbstractMap.SimpleImmutableEntry<>("id", new BigIntType(false)),
                        new AbstractMap.SimpleImmutableEntry<>("user_id", VarCharType.STRING_TYPE));
        return TableDefinition.create("ns", name, columns, List.of("id"), options, id -> true);
    }

    @Test
    void sessionsComeFromTheConfiguration() {
        assertThat(Session.of(new Configuration())).isEqualTo(Session.UNRESTRICTED);
        Configuration config = new Configuration();
        config.setString("tiered.session.user", "alice");
        assertThat(Session.of(config)).isEqualTo(ALICE);
        config.setString("tiered.session.role", "Service");
        assertThat(Session.of(config).role()).isEqualTo(Session.Role.SERVICE);
        config.setString("tiered.session.role", "root");
        assertThatThrownBy(() -> Session.of(config))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Invalid tiered.session.role 'root'. Supported: user, service, dba,"
                                + " system");
    }

    @Test
    void sharedTablesByAccessLevel() {
        TableDefinition pub = table("pub", Map.of("ACCESS_LEVEL", "PUBLIC"));
        TableDefinition priv = table("priv", Map.of());
        TableDefinition restricted = table("restricted", Map.of("ACCESS_LEVEL", "RESTRICTED"));
        TableDefinition dba = table("dba", Map.of("ACCESS_LEVEL", "DBA"));

        AccessControl.checkRead(ALICE, pub);
        assertThatThrownBy(() -> AccessControl.checkRead(ALICE, priv))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("Access denied: user 'alice' cannot read PRIVATE shared table ns.priv");
        assertThatThrownBy(() -> AccessControl.checkRead(ALICE, restricted))
                .hasMessage(
                        "Access denied: user 'alice' cannot read RESTRICTED shared table"
                                + " ns.restricted");
        AccessControl.checkRead(SERVICE, restricted);
        assertThatThrownBy(() -> AccessControl.checkRead(SERVICE, dba))
                .hasMessage("Access denied: service session cannot read DBA shared table ns.dba");
        AccessControl.checkRead(DBA, dba);
        AccessControl.checkRead(Session.UNRESTRICTED, dba);
        assertThatThrownBy(() -> AccessControl.checkWrite(ALICE, pub))
                .hasMessage("Access denied: user 'alice' cannot write shared table ns.pub");
    }

    @Test
    void userTablesRestrictUsersToTheirOwnRows() {
        TableDefinition messages = table("messages", Map.of("TYPE", "USER"));
        assertThat(AccessControl.readOwner(ALICE, messages)).contains("alice");
        assertThat(AccessControl.readOwner(SERVICE, messages)).isEmpty();
        AccessControl.checkWrite(ALICE, messages);
        AccessControl.checkRowOwner(ALICE, "ns.messages", "alice");
        assertThatThrownBy(() -> AccessControl.checkRowOwner(ALICE, "ns.messages", "bob"))
                .hasMessage(
                        "Access denied: user 'alice' cannot write rows of user 'bob' to ns.messages");
        assertThatThrownBy(() -> AccessControl.checkRowOwner(ALICE, "ns.messages", null))
                .hasMessage(
                        "Access denied: user 'alice' cannot write rows of user 'null' to ns.messages");
        AccessControl.checkRowOwner(SERVICE, "ns.messages", "bob");
    }

    @Test
    void systemTablesAndProceduresAreNotForUsers() {
        assertThatThrownBy(() -> AccessControl.checkSystemTable(ALICE, "system.tables"))
                .hasMessage("Access denied: user 'alice' cannot read system table system.tables");
        assertThatThrownBy(() -> AccessControl.checkProcedure(ALICE, "sys.flush_table"))
                .hasMessage(
                        "Access denied: user 'alice' cannot call sys.flush_table (needs role"
                                + " service, dba or system)");
        AccessControl.checkSystemTable(SERVICE, "system.tables");
        AccessControl.checkProcedure(SERVICE, "sys.flush_table");
    }
}
