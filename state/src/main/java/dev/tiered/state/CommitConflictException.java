package dev.tiered.state;

/**
 * A commit cannot apply on top of the table as it now is: it retires a hot segment or removes a
 * batch that another commit already retired or removed. Retrying the same commit cannot help; the
 * operation must be redone against the new table (a compaction re-plans, a flush re-reads).
 */
public class CommitConflictException extends TieredException {
    private static final long serialVersionUID = 1L;

    public CommitConflictException(String message) {
        super(message);
    }
}
