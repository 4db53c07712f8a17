package dev.tiered.state;

/** Base class of the errors the table engine raises for a known reason. */
public class TieredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TieredException(String message) {
        super(message);
    }

    public TieredException(String message, Throwable cause) {
        super(message, cause);
    }
}
