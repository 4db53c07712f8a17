package dev.tiered.state;

/** The kinds of table a user can create (DESIGN §4). SYSTEM tables are served by the catalog. */
public enum TableType {
    /** One scope per user: each user's rows live in their own directory. */
    USER,
    /** One scope for everybody, guarded by an {@link AccessLevel}. */
    SHARED,
    /** Hot only: events expire after {@code TTL_SECONDS} and are never flushed. */
    STREAM;

    /** The table-type word KalamDB's messages use ("User tables require ..."). */
    String displayName() {
        String name = name();
        return name.charAt(0) + name.substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}
