package dev.tiered.state;

/** Who may read a SHARED table (DESIGN §6). */
public enum AccessLevel {
    /** Every session, including {@code user} sessions. */
    PUBLIC,
    /** Service, dba and system sessions only (the default). */
    PRIVATE,
    /** Like PRIVATE; reserved for row-level restrictions. */
    RESTRICTED,
    /** dba and system sessions only. */
    DBA
}
