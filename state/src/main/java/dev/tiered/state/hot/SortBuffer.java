package dev.tiered.state.hot;

import java.util.Arrays;

/**
 * A bounded heap buffer of encoded (key, value) entries that sorts them in key order and keeps the
 * newest {@code _seq} of each key: the in-memory stage of a restore. Entries live in one arena
 * (4-byte key length, 4-byte value length, key, value), sorted through an {@code int[]} of their
 * offsets, so a buffer of a million entries is three arrays, not a million objects. The arena, the
 * offsets and the merge sort's scratch together stay within the limit.
 */
final class SortBuffer {
    private static final int ENTRY_HEADER = 8;

    /** Bytes per entry outside the arena: its offset and the sort's scratch slot. */
    private static final int INDEX_BYTES = 8;

    private final long limitBytes;
    private byte[] arena;
    private int used;
    private int[] entries = new int[1024];
    private int count;

    SortBuffer(long limitBytes) {
        this.limitBytes = limitBytes;
        this.arena = new byte[(int) Math.min(limitBytes / 2, 1 << 20)];
    }

    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Appends an entry; false (and nothing appended) when it would exceed the limit. An entry
     * larger than an empty buffer's limit is an error.
     */
    boolean add(byte[] key, int keyOffset, int keyLength, byte[] value, int valueLength) {
        int need = ENTRY_HEADER + keyLength + valueLength;
        if ((long) used + need + (long) (count + 1) * INDEX_BYTES > limitBytes) {
            if (count == 0) {
                throw new IllegalArgumentException(
                        "Cannot restore entry of " + need + " bytes: larger than the sort buffer");
            }
            return false;
        }
        if (used + need > arena.length) {
            long grown = Math.max((long) used + need, (long) arena.length * 2);
            arena = Arrays.copyOf(arena, (int) Math.min(grown, limitBytes));
        }
        if (count == entries.length) {
            entries = Arrays.copyOf(entries, count * 2);
        }
        ByteWriter.writeInt(arena, used, keyLength);
        ByteWriter.writeInt(arena, used + 4, valueLength);
        System.arraycopy(key, keyOffset, arena, used + ENTRY_HEADER, keyLength);
        System.arraycopy(value, 0, arena, used + ENTRY_HEADER + keyLength, valueLength);
        entries[count++] = used;
        used += need;
        return true;
    }

    /** Sorts by key, then keeps only the entry with the highest {@code _seq} of each key. */
    void sortAndDedupe() {
        if (count > 1) {
            mergeSort(entries, new int[count], 0, count);
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            // Equal keys are adjacent, newest first: keep the first of each group.
            if (kept == 0 || compareKeys(entries[kept - 1], entries[i]) != 0) {
                entries[kept++] = entries[i];
            }
        }
        count = kept;
    }

    void clear() {
        used = 0;
        count = 0;
    }

    byte[] arena() {
        return arena;
    }

    int keyOffset(int i) {
        return entries[i] + ENTRY_HEADER;
    }

    int keyLength(int i) {
        return ByteWriter.readInt(arena, entries[i]);
    }

    int valueOffset(int i) {
        return keyOffset(i) + keyLength(i);
    }

    int valueLength(int i) {
        return ByteWriter.readInt(arena, entries[i] + 4);
    }

    private void mergeSort(int[] a, int[] scratch, int from, int to) {
        if (to - from <= 16) {
            for (int i = from + 1; i < to; i++) {
                int entry = a[i];
                int j = i - 1;
                while (j >= from && compare(a[j], entry) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = entry;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, scratch, from, mid);
        mergeSort(a, scratch, mid, to);
        if (compare(a[mid - 1], a[mid]) <= 0) {
            return; // already in order (common for ids that grow with time)
        }
        System.arraycopy(a, from, scratch, from, to - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            a[k++] = compare(scratch[i], scratch[j]) <= 0 ? scratch[i++] : scratch[j++];
        }
        while (i < mid) {
            a[k++] = scratch[i++];
        }
        while (j < to) {
            a[k++] = scratch[j++];
        }
    }

    /** Key order, then newest {@code _seq} first. */
    private int compare(int a, int b) {
        int byKey = compareKeys(a, b);
        return byKey != 0 ? byKey : Long.compare(seqOf(b), seqOf(a));
    }

    private int compareKeys(int a, int b) {
        int aLength = ByteWriter.readInt(arena, a);
        int bLength = ByteWriter.readInt(arena, b);
        return Arrays.compareUnsigned(
                arena,
                a + ENTRY_HEADER,
                a + ENTRY_HEADER + aLength,
                arena,
                b + ENTRY_HEADER,
                b + ENTRY_HEADER + bLength);
    }

    private long seqOf(int entry) {
        int keyLength = ByteWriter.readInt(arena, entry);
        return EntryCodec.seqOf(arena, entry + ENTRY_HEADER + keyLength);
    }
}
