package org.depesche.queue;

/**
 * A message in the queue as the queue knows it. (The queue package extends
 * this with per-recipient delivery state and the attempt history.)
 */
public record QueuedMessage(String id, Envelope envelope, long size) {
}
