package dev.tiered.table.function;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;

import java.time.Instant;

/**
 * {@code NOW()} of the tiered catalog: the current instant as TIMESTAMP_LTZ(3), per row. Flink's
 * built-in {@code NOW()} takes precedence for an unqualified call and means the same; this one is
 * reachable as {@code catalog.db.now()}.
 */
@PublicEvolving
public class NowFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    public @DataTypeHint("TIMESTAMP_LTZ(3)") Instant eval() {
        return Instant.now();
    }

    @Override
    public boolean isDeterministic() {
        return false;
    }
}
