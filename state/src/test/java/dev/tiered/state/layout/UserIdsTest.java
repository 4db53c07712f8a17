package dev.tiered.state.layout;

import dev.tiered.state.TableType;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserIdsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "alice|alice",
                "alice@example.com|alice@example.com",
                "u-1.2_3|u-1.2_3",
                "bob smith|bob%20smith",
                "100%|100%25",
                "zoë|zo%C3%AB",
                "a:b|a%3Ab",
                "~home|%7Ehome",
                "👍|%F0%9F%91%8D"
            })
    void encodesOutsideTheSafeSetAndDecodesBack(String userId, String encoded) {
        assertThat(UserIds.encode(userId)).isEqualTo(encoded);
        assertThat(UserIds.decode(encoded)).isEqualTo(userId);
    }

    @Test
    void rejectsIdsThatCouldLeaveOrShadowTheTableDirectory() {
        assertThatThrownBy(() -> UserIds.encode("")).hasMessage("Invalid user id '': is empty");
        assertThatThrownBy(() -> UserIds.encode("a/b"))
                .hasMessage("Invalid user id 'a/b': contains '/'");
        assertThatThrownBy(() -> UserIds.encode("a\\b"))
                .hasMessage("Invalid user id 'a\\b': contains '\\'");
        assertThatThrownBy(() -> UserIds.encode("a..b"))
                .hasMessage("Invalid user id 'a..b': contains '..'");
        assertThatThrownBy(() -> UserIds.encode("a\0b"))
                .hasMessage("Invalid user id 'a\\u0000b': contains NUL");
        assertThatThrownBy(() -> UserIds.encode("_table"))
                .hasMessage("Invalid user id '_table': starts with '_'");
        assertThatThrownBy(() -> UserIds.encode(".hidden"))
                .hasMessage("Invalid user id '.hidden': starts with '.'");
        assertThatThrownBy(() -> UserIds.encode("x\uD800"))
                .hasMessage("Invalid user id 'x\\ud800': is not well-formed Unicode");
        assertThatThrownBy(() -> UserIds.encode("é".repeat(43)))
                .hasMessage(
                        "Invalid user id '"
                                + "é".repeat(43)
                                + "': is longer than 255 bytes once encoded");
        assertThat(UserIds.encode("é".repeat(42))).hasSize(252);
    }

    @Test
    void decodeRefusesNamesEncodeNeverProduces() {
        for (String name :
                new String[] {"_hot", "a%2", "a%zz", "a%2Fb", "a b", "%61", "%C3", ".."}) {
            assertThat(UserIds.isEncodedUserId(name)).as(name).isFalse();
        }
    }

    /**
     * Random strings over a hostile alphabet: every id either is rejected or encodes to one path
     * segment inside the table directory that decodes back to it.
     */
    @Test
    void randomIdsNeverEscapeTheTableDirectory() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String alphabet = "aZ09._-@/\\%: \0\t~é漢👍\uD800\uDC00";
        Path base = new Path("file:///warehouse");
        StorageLayout layout = new StorageLayout(base, "ns", "t", TableType.USER);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder id = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String userId = id.toString();
            String description = "seed " + seed + ", id '" + UserIds.printable(userId) + "'";
            if (UserIds.invalidReason(userId) != null) {
                assertThatThrownBy(() -> UserIds.encode(userId))
                        .as(description)
                        .isInstanceOf(IllegalArgumentException.class);
                continue;
            }
            accepted++;
            String encoded = UserIds.encode(userId);
            assertThat(encoded).as(description).matches("[A-Za-z0-9.@%-][A-Za-z0-9._@%-]*");
            assertThat(encoded).as(description).doesNotContain("..");
            assertThat(UserIds.decode(encoded)).as(description).isEqualTo(userId);
            Path scope = layout.scopeDir(userId);
            assertThat(scope.getParent()).as(description).isEqualTo(layout.tableDir());
            assertThat(scope.getName()).as(description).isEqualTo(encoded);
        }
        assertThat(accepted).as("seed " + seed).isGreaterThan(1_000);
    }
}
