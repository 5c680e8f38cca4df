package org.depesche.policy;

import org.depesche.queue.QueuedMessage;

/**
 * What a message itself asks of its delivery, beside the destination's
 * policy. Today only the message for context; REQUIRETLS (RFC 8689) and
 * secure addresses will add their demands here.
 */
public record DeliveryRequest(QueuedMessage message) {
}
