package org.depesche.queue;

import java.io.IOException;

/** The queue's disk is full or below the configured reserve: answer 452 4.3.1 (RFC 3463). */
public final class QueueFullException extends IOException {
    public QueueFullException(String message) {
        super(message);
    }

    public QueueFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
