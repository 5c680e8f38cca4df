package org.depesche.queue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The operator's retry and delete, from another process than the server.
 * If a server is delivering from the queue (it holds the runner lease), the
 * request goes to it as a {@link ControlRequest} and this waits until the
 * server has taken it (it polls about every half second); otherwise the
 * queue is changed directly, under the lease so that a server starting
 * meanwhile waits.
 */
public final class QueueAdmin {
    private static final Duration PICKUP_WAIT = Duration.ofSeconds(5);

    private final Queue queue;
    private final Clock clock;

    public QueueAdmin(Queue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    public enum Outcome {
        /** No such message in the queue. */
        UNKNOWN_ID,
        /** The running server took the request. */
        SERVER_TOOK_REQUEST,
        /** A server holds the lock but did not take the request in time; the request file stays. */
        SERVER_DID_NOT_RESPOND,
        /** No server running: the message is due now and goes out when the server starts. */
        RESCHEDULED,
        /** No server running: the message was removed. */
        DELETED
    }

    public Outcome retry(String id) throws IOException, InterruptedException {
        return perform(ControlRequest.retry(id));
    }

    public Outcome delete(String id) throws IOException, InterruptedException {
        return perform(ControlRequest.delete(id));
    }

    private Outcome perform(ControlRequest request) throws IOException, InterruptedException {
        String id = request.id();
        Optional<QueuedMessage> message = queue.get(id);
        if (message.isEmpty()) return Outcome.UNKNOWN_ID;
        Optional<Queue.Lease> lease = queue.tryLease();
        if (lease.isPresent()) {
            try (Queue.Lease held = lease.get()) {
                QueuedMessage m = message.get();
                return switch (request.action()) {
                    case DELETE -> {
                        queue.remove(id);
                        yield Outcome.DELETED;
                    }
                    case RETRY -> {
                        queue.update(m.schedule(m.deferrals(), clock.instant()));
                        yield Outcome.RESCHEDULED;
                    }
                };
            }
        }
        queue.request(request);
        long deadline = System.nanoTime() + PICKUP_WAIT.toNanos();
        while (queue.isPending(request)) {
            if (System.nanoTime() > deadline) return Outcome.SERVER_DID_NOT_RESPOND;
            Thread.sleep(50);
        }
        return Outcome.SERVER_TOOK_REQUEST;
    }
}
