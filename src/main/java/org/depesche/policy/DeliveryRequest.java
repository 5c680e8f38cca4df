package org.depesche.policy;

import org.depesche.queue.TransportDemand;

/**
 * What a message itself asks of its delivery, beside the destination's
 * policy: the transport demand stored with it when it was received
 * (REQUIRETLS and TLS-Required, RFC 8689; the floor of a secure sender),
 * or the demand `depesche probe` asks about. {@code demand} may be null
 * (`policy show`, tests): no demand then.
 */
public record DeliveryRequest(TransportDemand demand) {
    public DeliveryRequest {
        if (demand == null) demand = TransportDemand.NONE;
    }
}
