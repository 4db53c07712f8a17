package dev.tiered.table;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Whose session a job or SQL client is (DESIGN §6), set with {@code SET 'tiered.session.user' =
 * 'alice'} or in the job configuration. A session that declares nothing is not restricted.
 */
@PublicEvolving
public final class SessionOptions {

    public static final ConfigOption<String> USER =
            ConfigOptions.key("tiered.session.user")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The user the session acts for. With role 'user' it reads and writes"
                                    + " only its own rows of USER tables.");

    public static final ConfigOption<String> ROLE =
            ConfigOptions.key("tiered.session.role")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "user | service | dba | system. A 'user' reads and writes only its own"
                                    + " rows of USER tables, reads SHARED tables only when their"
                                    + " ACCESS_LEVEL is PUBLIC, never reaches SYSTEM tables and"
                                    + " calls no procedure. Default: 'user' when"
                                    + " tiered.session.user is set, else unrestricted.");

    private SessionOptions() {}
}
