package org.depesche.transport;

import java.util.Objects;

/**
 * What a message needs of every hop that carries it on, beside the
 * destination's own policy: the least {@link Strength} (a {@link Strength#VERIFIED}
 * need asks for an authenticated server in the sense of RFC 8689 4.2.1) and
 * what becomes of the REQUIRETLS MAIL parameter (RFC 8689 2, 4.2.1).
 * Made by {@code queue.TransportDemand#needs}, the one place that turns a
 * message's demand into what a hop must give.
 */
public record HopRequirement(Strength least, RequireTls requireTls) {

    /** A message that needs nothing of its own. */
    public static final HopRequirement NOTHING = new HopRequirement(Strength.PLAINTEXT, RequireTls.NO);

    public HopRequirement {
        Objects.requireNonNull(least, "least");
        Objects.requireNonNull(requireTls, "requireTls");
    }

    /** The REQUIRETLS MAIL parameter (RFC 8689 2, 4.2.1). */
    public enum RequireTls {
        /** Never sent. */
        NO,
        /** Sent when the server offers REQUIRETLS after STARTTLS; not required (mail from a secure sender, a bounce). */
        WHEN_OFFERED,
        /** The server must offer REQUIRETLS after STARTTLS, else no MAIL FROM (RFC 8689 4.2.1 step 5). */
        REQUIRED
    }

    /** True if the message itself asks for more than the destination's policy. */
    public boolean any() {
        return least != Strength.PLAINTEXT || requireTls != RequireTls.NO;
    }

    /** True if only an authenticated server may take the message (RFC 8689 4.2.1, a secure sender's verify). */
    public boolean authenticated() {
        return least.verified();
    }

    /** True if STARTTLS is mandatory for the message whatever the destination's policy says. */
    public boolean encrypted() {
        return least.atLeast(Strength.ENCRYPTED);
    }
}
