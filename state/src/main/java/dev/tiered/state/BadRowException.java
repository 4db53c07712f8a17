package dev.tiered.state;

/**
 * A row the table cannot hold: a null key, a null or invalid user id, a null in a NOT NULL column.
 * The message names the table, the column and the reason.
 */
public class BadRowException extends TieredException {
    private static final long serialVersionUID = 1L;

    private final String column;
    private final String reason;

    public BadRowException(String tableId, String column, String reason) {
        super("Cannot write row to table " + tableId + ": column '" + column + "' " + reason);
        this.column = column;
        this.reason = reason;
    }

    public String column() {
        return column;
    }

    public String reason() {
        return reason;
    }
}
