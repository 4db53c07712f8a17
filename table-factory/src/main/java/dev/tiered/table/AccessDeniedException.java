package dev.tiered.table;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.ValidationException;

/** A session tried to read, write or call something its role does not allow (DESIGN §6). */
@PublicEvolving
public class AccessDeniedException extends ValidationException {
    private static final long serialVersionUID = 1L;

    public AccessDeniedException(String message) {
        super(message);
    }
}
