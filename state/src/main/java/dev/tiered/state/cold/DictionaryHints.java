package dev.tiered.state.cold;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a writer of many batches of one table has learned about dictionary encoding: columns whose
 * values came out nearly all distinct in a batch (Parquet built their dictionary, found it did not
 * pay and re-encoded the pages plainly, {@link BatchWriter#dictionaryFallbacks()}) are written
 * plainly in the next {@value #RETRY_AFTER} batches, then tried with a dictionary again. The files
 * are the same; only the wasted dictionary is not built. For a chat table that is the message text,
 * while the user id keeps its dictionary. Not thread-safe.
 */
public final class DictionaryHints {
    /** Batches a fallen-back column is written plainly before its dictionary is tried again. */
    public static final int RETRY_AFTER = 64;

    private final Map<String, Integer> plainFor = new HashMap<>();

    /** {@code options} with the columns currently known not to pay for a dictionary. */
    public BatchWriter.Options apply(BatchWriter.Options options) {
        return plainFor.isEmpty() ? options : options.withPlainColumns(plainFor.keySet());
    }

    /** Records what a finished batch, written with {@link #apply}'s options, showed. */
    public void learn(BatchWriter finished) {
        plainFor.replaceAll((column, remaining) -> remaining - 1);
        plainFor.values().removeIf(remaining -> remaining <= 0);
        for (String column : finished.dictionaryFallbacks()) {
            plainFor.put(column, RETRY_AFTER);
        }
    }

    /** The columns the next batch writes plainly. */
    public Set<String> plainColumns() {
        return Set.copyOf(plainFor.keySet());
    }
}
