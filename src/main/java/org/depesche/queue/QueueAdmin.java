package org.depesche.queue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The operator's retry and delete, from another process than the server.
 * If a server is delivering from the queue (it holds runner.lock), the
 * request goes to it as a file in control/ and this waits until the server
 * has taken it (it polls about every half second); otherwise the queue files
 * are changed directly, under the runner lock so that a server starting
 * meanwhile waits.
 */
public final class QueueAdmin {
    private static final Duration PICKUP_WAIT = Duration.ofSeconds(5);

    private final FileQueue queue;
    private final Clock clock;

    public QueueAdmin(FileQueue queue, Clock clock) {
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
        return perform(FileQueue.Action.RETRY, id);
    }

    public Outcome delete(String id) throws IOException, InterruptedException {
        return perform(FileQueue.Action.DELETE, id);
    }

    private Outcome perform(FileQueue.Action action, String id) throws IOException, InterruptedException {
        Optional<QueuedMessage> message = queue.get(id);
        if (message.isEmpty()) return Outcome.UNKNOWN_ID;
        Optional<FileQueue.RunnerLock> lock = queue.tryLockRunner();
        if (lock.isPresent()) {
            try (FileQueue.RunnerLock held = lock.get()) {
                QueuedMessage m = message.get();
                if (action == FileQueue.Action.DELETE) {
                    queue.remove(id);
                    return Outcome.DELETED;
                }
                queue.update(m.schedule(m.deferrals(), clock.instant()));
                return Outcome.RESCHEDULED;
            }
        }
        queue.request(action, id);
        long deadline = System.nanoTime() + PICKUP_WAIT.toNanos();
        while (queue.isRequestPending(action, id)) {
            if (System.nanoTime() > deadline) return Outcome.SERVER_DID_NOT_RESPOND;
            Thread.sleep(50);
        }
        return Outcome.SERVER_TOOK_REQUEST;
    }
}
