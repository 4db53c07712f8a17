package dev.tiered.state.hot;

import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges sorted runs (SST files of unique keys, written by a restore that outgrew its sort buffer)
 * into one key-ordered stream holding the newest {@code _seq} of each key. Owns the readers, their
 * iterators and the read options; {@link #close()} frees them, iterators first.
 */
final class RunMerger implements AutoCloseable {
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final PriorityQueue<Head> heads =
            new PriorityQueue<>(
                    (a, b) -> {
                        int byKey = Arrays.compareUnsigned(a.key, b.key);
                        return byKey != 0 ? byKey : Long.compare(b.seq(), a.seq());
                    });

    RunMerger(List<Path> runs, Options options) throws RocksDBException {
        try {
            ReadOptions readOptions = new ReadOptions().setFillCache(false);
            owned.add(readOptions);
            for (Path run : runs) {
                SstFileReader reader = new SstFileReader(options);
                owned.add(reader);
                reader.open(run.toString());
                SstFileReaderIterator iterator = reader.newIterator(readOptions);
                owned.add(iterator);
                iterator.seekToFirst();
                Head head = new Head(iterator);
                if (head.load()) {
                    heads.add(head);
                }
            }
        } catch (RocksDBException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Emits each key once, with its newest version, in key order. */
    void forEach(BulkLoader.EntryConsumer consumer) throws RocksDBException {
        byte[] last = null;
        while (!heads.isEmpty()) {
            Head head = heads.poll();
            if (last == null || !Arrays.equals(last, head.key)) {
                consumer.accept(head.key, 0, head.key.length, head.value, 0, head.value.length);
                last = head.key;
            }
            head.iterator.next();
            if (head.load()) {
                heads.add(head);
            }
        }
    }

    @Override
    public void close() {
        // Created as options, then reader, iterator per run: close in reverse.
        for (int i = owned.size() - 1; i >= 0; i--) {
            HotStoreResources.closeQuietly(owned.get(i));
        }
        owned.clear();
    }

    private static final class Head {
        final SstFileReaderIterator iterator;
        byte[] key;
        byte[] value;

        Head(SstFileReaderIterator iterator) {
            this.iterator = iterator;
        }

        /** Reads the iterator's current entry; false at its end. */
        boolean load() throws RocksDBException {
            if (!iterator.isValid()) {
                iterator.status();
                return false;
            }
            key = iterator.key();
            value = iterator.value();
            return true;
        }

        long seq() {
            return EntryCodec.seqOf(value, 0);
        }
    }
}
