package dev.tiered.state;

import dev.tiered.state.layout.UserIds;

/**
 * A scope: the whole of a SHARED or STREAM table ({@link #SHARED}), or one user's part of a USER
 * table. Scopes are flushed, compacted, read and erased as units; each has its own directory and
 * {@code manifest.json}.
 *
 * @param userId the owner, or null for the shared scope
 */
public record ScopeId(String userId) implements Comparable<ScopeId> {
    public static final ScopeId SHARED = new ScopeId(null);

    public ScopeId {
        if (userId != null) {
            UserIds.validate(userId);
        }
    }

    public static ScopeId user(String userId) {
        return new ScopeId(userId);
    }

    public boolean isShared() {
        return userId == null;
    }

    /** Shared first, then users in id order. */
    @Override
    public int compareTo(ScopeId other) {
        if (userId == null || other.userId == null) {
            return userId == null ? (other.userId == null ? 0 : -1) : 1;
        }
        return userId.compareTo(other.userId);
    }

    @Override
    public String toString() {
        return userId == null ? "<shared>" : userId;
    }
}
