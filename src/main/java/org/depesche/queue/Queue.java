package org.depesche.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * The durable queue. A message is accepted in two steps: {@link #begin()}
 * hands out a queue id and a stream to write the message to (the SMTP
 * session streams DATA there, never holding it in memory), then
 * {@link Incoming#commit(Envelope)} makes it durable (file and directory
 * fsynced) before it returns; only then may the server answer 250.
 * Implementations: {@link FileQueue} (local disk); the contract tests in
 * src/test apply to every implementation.
 */
public interface Queue extends AutoCloseable {

    /** Starts a new message; the caller must commit or abort it. */
    Incoming begin() throws IOException;

    /** All messages in the queue, oldest first. */
    List<QueuedMessage> list() throws IOException;

    Optional<QueuedMessage> get(String id) throws IOException;

    /** A message that is being written and is not in the queue until committed. */
    interface Incoming extends AutoCloseable {
        String id();

        /** The stream to write the message (headers and body, CRLF line ends) to. */
        OutputStream content();

        /**
         * Makes the message durable and schedules its delivery. Throws
         * {@link QueueFullException} when the disk is (nearly) full: the
         * caller answers 452 4.3.1.
         */
        QueuedMessage commit(Envelope envelope) throws IOException;

        /** Discards what was written. Idempotent; also what close() does if not committed. */
        void abort();

        @Override
        default void close() { abort(); }
    }
}
