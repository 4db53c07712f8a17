package dev.tiered.state;

/**
 * A table definition or its options break a rule of DESIGN §4. The message is the user-facing
 * error: for the rules KalamDB has, it is KalamDB's exact wording.
 */
public class TableValidationException extends TieredException {
    private static final long serialVersionUID = 1L;

    public TableValidationException(String message) {
        super(message);
    }
}
