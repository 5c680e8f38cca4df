package org.depesche.queue;

import java.util.Objects;

/**
 * What a message itself demands of the hops that carry it on, decided when
 * it is received and stored with it, so a later change of the directory does
 * not loosen mail already queued.
 *
 * @param requireTls    the client asked for REQUIRETLS (RFC 8689 4.1); mail
 *                      from a secure sender gets the floor instead, and the
 *                      parameter only where the next hop offers it
 * @param tlsRequiredNo the header {@code TLS-Required: No} was present
 *                      (RFC 8689 5); ignored when {@code requireTls} is set
 * @param floor         the least protection any next hop must give
 * @param because       why the floor is what it is, in words for a bounce:
 *                      "the sender alice@secure.example.org is a secure address"
 */
public record TransportDemand(boolean requireTls, boolean tlsRequiredNo, Floor floor, String because) {

    /** An ordinary message: the destination's policy alone decides. */
    public static final TransportDemand NONE = new TransportDemand(false, false, Floor.NONE, "");

    public TransportDemand {
        Objects.requireNonNull(floor, "floor");
        because = because == null ? "" : because;
    }

    /** The least a hop must give: any TLS, or TLS with an authenticated server (DANE, MTA-STS, PKIX). */
    public enum Floor { NONE, ENCRYPTED, AUTHENTICATED }

    /** True if the message asks for more than the destination's own policy. */
    public boolean demandsAnything() {
        return requireTls || floor != Floor.NONE;
    }

    public TransportDemand withRequireTls(boolean value) {
        return new TransportDemand(value, tlsRequiredNo, floor, because);
    }

    public TransportDemand withTlsRequiredNo(boolean value) {
        return new TransportDemand(requireTls, value, floor, because);
    }

    /** Raises the floor (never lowers it); the reason goes with the higher floor. */
    public TransportDemand atLeast(Floor wanted, String reason) {
        return wanted.compareTo(floor) > 0 ? new TransportDemand(requireTls, tlsRequiredNo, wanted, reason) : this;
    }
}
