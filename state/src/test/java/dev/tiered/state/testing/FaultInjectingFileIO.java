package dev.tiered.state.testing;

import dev.tiered.state.io.TableFileIO;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a {@link TableFileIO} and crashes at a chosen mutating operation (create, overwrite,
 * delete), either before it takes effect or right after. Each mutating operation gets an index and
 * a name ("create _log/00000000000000000003.json"), so a test can crash at every step of an
 * operation in turn and say which step it crashed at.
 */
public final class FaultInjectingFileIO extends ForwardingTableFileIO {

    /** Whether the crash happens before the operation takes effect or after. */
    public enum When {
        BEFORE,
        AFTER
    }

    /** Thrown at the injected crash point. */
    public static final class InjectedCrash extends IOException {
        private static final long serialVersionUID = 1L;

        InjectedCrash(String step) {
            super("Injected crash at " + step);
        }
    }

    private final List<String> steps = new ArrayList<>();
    private int crashAt = -1;
    private When when = When.BEFORE;

    public FaultInjectingFileIO(TableFileIO delegate) {
        super(delegate);
    }

    /** Crash at the {@code index}-th mutating operation from now on (0-based). */
    public synchronized void crashAt(int index, When when) {
        this.crashAt = steps.size() + index;
        this.when = when;
    }

    public synchronized void disarm() {
        crashAt = -1;
    }

    /** The mutating operations so far, in order. */
    public synchronized List<String> steps() {
        return List.copyOf(steps);
    }

    @Override
    public boolean createIfAbsent(Path path, byte[] content) throws IOException {
        int step = step("create", path);
        beforeStep(step);
        boolean created = delegate.createIfAbsent(path, content);
        afterStep(step);
        return created;
    }

    @Override
    public void overwrite(Path path, byte[] content) throws IOException {
        int step = step("overwrite", path);
        beforeStep(step);
        delegate.overwrite(path, content);
        afterStep(step);
    }

    @Override
    public boolean delete(Path path) throws IOException {
        int step = step("delete", path);
        beforeStep(step);
        boolean deleted = delegate.delete(path);
        afterStep(step);
        return deleted;
    }

    /** Records a step; its index, so that steps of concurrent writes each find their own. */
    private synchronized int step(String op, Path path) {
        Path parent = path.getParent();
        steps.add(op + " " + (parent == null ? "" : parent.getName() + "/") + path.getName());
        return steps.size() - 1;
    }

    private synchronized void beforeStep(int step) throws InjectedCrash {
        if (crashAt == step && when == When.BEFORE) {
            crashAt = -1;
            throw new InjectedCrash("before " + steps.get(step));
        }
    }

    private synchronized void afterStep(int step) throws InjectedCrash {
        if (crashAt == step && when == When.AFTER) {
            crashAt = -1;
            throw new InjectedCrash("after " + steps.get(step));
        }
    }
}
