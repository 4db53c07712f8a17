package dev.tiered.state.maint;

import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.testing.ForwardingTableFileIO;

import org.apache.flink.core.fs.Path;

import java.io.IOException;

/**
 * Runs an action once, just before the next commit file ({@code _log/<N>.json}) is created: a
 * concurrent writer or compaction that wins the race for that number.
 */
final class HookedFileIO extends ForwardingTableFileIO {
    /** The action; may throw. */
    interface Action {
        void run() throws IOException;
    }

    private Action beforeNextCommit;

    HookedFileIO(TableFileIO delegate) {
        super(delegate);
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
}
