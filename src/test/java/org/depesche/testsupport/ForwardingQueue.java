package org.depesche.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.depesche.queue.ControlRequest;
import org.depesche.queue.Queue;
import org.depesche.queue.QueuedMessage;

/**
 * A {@link Queue} that passes every call to another one; a test overrides
 * the one call whose behaviour it is about (a disk that fills, a removal
 * that takes its time) and keeps the real queue for the rest.
 */
public class ForwardingQueue implements Queue {
    protected final Queue delegate;

    public ForwardingQueue(Queue delegate) {
        this.delegate = delegate;
    }

    @Override
    public Incoming begin() throws IOException {
        return delegate.begin();
    }

    @Override
    public List<QueuedMessage> list() throws IOException {
        return delegate.list();
    }

    @Override
    public Optional<QueuedMessage> get(String id) throws IOException {
        return delegate.get(id);
    }

    @Override
    public InputStream openContent(String id) throws IOException {
        return delegate.openContent(id);
    }

    @Override
    public void update(QueuedMessage message) throws IOException {
        delegate.update(message);
    }

    @Override
    public void remove(String id) throws IOException {
        delegate.remove(id);
    }

    @Override
    public Room room(long bytes) {
        return delegate.room(bytes);
    }

    @Override
    public void onCommit(Consumer<QueuedMessage> listener) {
        delegate.onCommit(listener);
    }

    @Override
    public Optional<Lease> tryLease() throws IOException {
        return delegate.tryLease();
    }

    @Override
    public int removeLeftovers(Lease held) throws IOException {
        return delegate.removeLeftovers(held);
    }

    @Override
    public void request(ControlRequest request) throws IOException {
        delegate.request(request);
    }

    @Override
    public boolean isPending(ControlRequest request) throws IOException {
        return delegate.isPending(request);
    }

    @Override
    public List<ControlRequest> takeRequests() throws IOException {
        return delegate.takeRequests();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
