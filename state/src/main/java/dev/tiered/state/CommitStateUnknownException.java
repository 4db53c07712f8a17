package dev.tiered.state;

/**
 * Whether a commit happened cannot be told (the commit-file write failed in a way that leaves the
 * outcome open and reading back failed too). Nothing may be cleaned up: the files may be part of a
 * commit. A later committer or reader settles it by reading the log.
 */
public class CommitStateUnknownException extends TieredException {
    private static final long serialVersionUID = 1L;

    public CommitStateUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
