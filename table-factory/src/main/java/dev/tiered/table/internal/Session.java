package dev.tiered.table.internal;

import dev.tiered.table.SessionOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * The session a statement runs in: its role and, for {@code user} sessions, the user.
 *
 * @param user the declared user, or null
 */
@Internal
public record Session(Role role, String user) implements Serializable {

    /** DESIGN §6 roles, weakest first. */
    public enum Role {
        USER,
        SERVICE,
        DBA,
        SYSTEM;

        public String displayName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A session that declares nothing: not restricted. */
    public static final Session UNRESTRICTED = new Session(Role.SYSTEM, null);

    public Session {
        Objects.requireNonNull(role, "role");
        if (role == Role.USER && (user == null || user.isEmpty())) {
            throw new ValidationException(
                    "Cannot use session role 'user' without '" + SessionOptions.USER.key() + "'");
        }
    }

    /**
     * The session a configuration declares.
     *
     * @throws ValidationException for an unknown role, or role {@code user} without a user
     */
    public static Session of(ReadableConfig config) {
        String user = config.getOptional(SessionOptions.USER).orElse(null);
        String roleText = config.getOptional(SessionOptions.ROLE).orElse(null);
        if (roleText == null) {
            return user == null ? UNRESTRICTED : new Session(Role.USER, user);
        }
        Role role;
        try {
            role = Role.valueOf(roleText.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Invalid "
                            + SessionOptions.ROLE.key()
                            + " '"
                            + roleText
                            + "'. Supported: user, service, dba, system");
        }
        return new Session(role, user);
    }

    public boolean isUser() {
        return role == Role.USER;
    }

    /** How errors name the session: {@code user 'alice'} or {@code service session}. */
    public String describe() {
        return role == Role.USER ? "user '" + user + "'" : role.displayName() + " session";
    }
}
