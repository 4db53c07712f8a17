package dev.tiered.state;

/** What a change does to its key: the {@code _op} of hot segments and the hot store. */
public enum ChangeOp {
    /** Insert or replace the row of the key (+I, +U). */
    UPSERT((byte) 0),
    /** Remove the key (-D): leaves a tombstone that hides every older version. */
    DELETE((byte) 1);

    private final byte code;

    ChangeOp(byte code) {
        this.code = code;
    }

    /** The stored form. */
    public byte code() {
        return code;
    }

    public static ChangeOp fromCode(byte code) {
        return switch (code) {
            case 0 -> UPSERT;
            case 1 -> DELETE;
            default -> throw new IllegalArgumentException("Cannot decode change op: code " + code);
        };
    }
}
