package dev.tiered.state.testing;

import dev.tiered.state.io.TableFileIO;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.List;

/**
 * A {@link TableFileIO} that passes every call to another: tests extend it and override the calls
 * they hook (crash injection, races at the commit point, counting).
 */
public abstract class ForwardingTableFileIO implements TableFileIO {
    protected final TableFileIO delegate;

    protected ForwardingTableFileIO(TableFileIO delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean createIfAbsent(Path path, byte[] content) throws IOException {
        return delegate.createIfAbsent(path, content);
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
