package dev.tiered.state.maint;

import dev.tiered.state.io.TableFileIO;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.List;

/**
 * Runs an action once, just before the next commit file ({@code _log/<N>.json}) is created: a
 * concurrent writer or compaction that wins the race for that number.
 */
final class HookedFileIO implements TableFileIO {
    /** The action; may throw. */
    interface Action {
        void run() throws IOException;
    }

    private final TableFileIO delegate;
    private Action beforeNextCommit;

    HookedFileIO(TableFileIO delegate) {
        this.delegate = delegate;
    }

    synchronized void beforeNextCommit(Action action) {
        this.beforeNextCommit = action;
    }

    @Override
    public boolean createIfAbsent(Path path, byte[] content) throws IOException {
        Action action;
        synchronized (this) {
            action = isCommitFile(path) ? beforeNextCommit : null;
            if (action != null) {
                beforeNextCommit = null;
            }
        }
        if (action != null) {
            action.run();
        }
        return delegate.createIfAbsent(path, content);
    }

    private static boolean isCommitFile(Path path) {
        return path.getParent().getName().equals("_log")
                && path.getName().matches("\\d{20}\\.json");
    }

    @Override
    public void overwrite(Path path, byte[] content) throws IOException {
        delegate.overwrite(path, content);
    }

    @Override
    public byte[] read(Path path) throws IOException {
        return delegate.read(path);
    }

    @Override
    public boolean exists(Path path) throws IOException {
        return delegate.exists(path);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public boolean delete(Path path) throws IOException {
        return delegate.delete(path);
    }

    @Override
    public long length(Path path) throws IOException {
        return delegate.length(path);
    }

    @Override
    public long modifiedMillis(Path path) throws IOException {
        return delegate.modifiedMillis(path);
    }
}
