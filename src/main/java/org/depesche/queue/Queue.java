package org.depesche.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The durable queue: everything the SMTP server, the {@link QueueRunner},
 * the {@link QueueAdmin}, the bounces and the CLI need of it, and nothing of
 * how it is stored. A message is accepted in two steps: {@link #begin()}
 * hands out a queue id and a stream to write the message to (the SMTP
 * session streams DATA there, never holding it in memory), then
 * {@link Incoming#commit(Envelope)} makes it durable before it returns; only
 * then may the server answer 250 (RFC 5321 6.1). The delivery state of a
 * committed message changes only through {@link #update}, and it leaves only
 * through {@link #remove}.
 * <p>
 * One holder of the {@link Lease} delivers from the queue at a time; others
 * (the CLI while a server runs) leave {@link ControlRequest}s for it.
 * Whether the queue can take more is the queue's own answer ({@link #room},
 * {@link QueueFullException}): callers never look at a disk.
 * Implementations: {@link FileQueue} (local disk); {@code QueueContractTest}
 * in src/test holds every implementation to this contract.
 */
public interface Queue extends AutoCloseable {

    /** Starts a new message; the caller must commit or abort it. Throws {@link QueueFullException} when full. */
    Incoming begin() throws IOException;

    /** All messages in the queue, oldest first. */
    List<QueuedMessage> list() throws IOException;

    /** The message with this id; empty for an unknown or malformed id. */
    Optional<QueuedMessage> get(String id) throws IOException;

    /** The content of a queued message as received (CRLF line ends); the caller closes it. */
    InputStream openContent(String id) throws IOException;

    /**
     * Stores a message's changed delivery state, atomically: a crash leaves
     * the old or the new state, never a mix. Fails for a message no longer
     * in the queue rather than bringing it back.
     */
    void update(QueuedMessage message) throws IOException;

    /** Takes a message out of the queue; nothing of it is listed or readable afterwards. */
    void remove(String id) throws IOException;

    /**
     * Whether a message of {@code bytes} octets would fit now while keeping
     * the queue's reserve (RFC 1870 6.1: the server may refuse at MAIL
     * what it cannot store). Only advice: {@link #begin} and
     * {@link Incoming#commit} check again when the message is written.
     */
    Room room(long bytes);

    /** The answer of {@link #room}. */
    enum Room {
        /** The message fits. */
        ENOUGH,
        /** It would not fit, or the queue is below its reserve already: refuse for now (452 4.3.1). */
        FULL,
        /** The queue could not tell; writing the message decides. */
        UNKNOWN
    }

    /** Called with every message right after it is committed (the runner schedules it). */
    void onCommit(Consumer<QueuedMessage> listener);

    /**
     * Takes the runner lease, which says "this holder delivers from the
     * queue", or returns empty when another holder (another process, or this
     * one) has it. A server holds it as long as it runs; the CLI takes it for
     * a moment to change the queue when no server runs.
     */
    Optional<Lease> tryLease() throws IOException;

    /** A held runner lease; closing it gives it up. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * What the holder of a new lease does first: discards what an earlier
     * holder began and never committed (a transaction that never got its
     * 250) and sets aside, for the operator, messages that cannot be read.
     * Messages this queue is writing right now are spared. Returns how many
     * leftovers it discarded.
     */
    int removeLeftovers(Lease held) throws IOException;

    /** Leaves a request for the holder of the lease; it is seen whole or not at all. */
    void request(ControlRequest request) throws IOException;

    /** True while the request has not been taken by the holder of the lease. */
    boolean isPending(ControlRequest request) throws IOException;

    /** Returns the pending requests and removes them: each is taken once. */
    List<ControlRequest> takeRequests() throws IOException;

    /** Stops telling commit listeners; what is committed stays. */
    @Override
    void close();

    /** A message that is being written and is not in the queue until committed. */
    interface Incoming extends AutoCloseable {
        String id();

        /** The stream to write the message (headers and body, CRLF line ends) to. */
        OutputStream content();

        /**
         * Makes the message durable and schedules its delivery. Throws
         * {@link QueueFullException} when the queue is full: the caller
         * answers 452 4.3.1.
         */
        QueuedMessage commit(Envelope envelope) throws IOException;

        /** Discards what was written. Idempotent; also what close() does if not committed. */
        void abort();

        @Override
        default void close() { abort(); }
    }
}
