package org.depesche.queue;

import java.util.Objects;

import org.depesche.transport.HopRequirement;
import org.depesche.transport.Strength;

/**
 * What a message itself demands of the hops that carry it on, decided when
 * it is received and stored with it, so a later change of the directory does
 * not loosen mail already queued. {@link #needs} is the one place that turns
 * it into what a hop must give.
 *
 * @param requireTls    the client asked for REQUIRETLS (RFC 8689 4.1); mail
 *                      from a secure sender gets the floor instead, and the
 *                      parameter only where the next hop offers it
 * @param tlsRequiredNo the header {@code TLS-Required: No} was present
 *                      (RFC 8689 5); ignored when {@code requireTls} is set
 * @param floor         the least protection any next hop must give: {@link Strength#PLAINTEXT}
 *                      (none), {@link Strength#ENCRYPTED}, or {@link Strength#VERIFIED} for an
 *                      authenticated server (DANE, MTA-STS, PKIX on an authenticated name, pins)
 * @param because       why the floor is what it is, in words for a bounce:
 *                      "the sender alice@secure.example.org is a secure address"
 */
public record TransportDemand(boolean requireTls, boolean tlsRequiredNo, Strength floor, String because) {

    /** An ordinary message: the destination's policy alone decides. */
    public static final TransportDemand NONE = new TransportDemand(false, false, Strength.PLAINTEXT, "");

    public TransportDemand {
        Objects.requireNonNull(floor, "floor");
        // "authenticated" is one demand; which authentication meets it is the policy engine's rule (RFC 8689 4.2.1).
        if (floor.compareTo(Strength.VERIFIED) > 0) throw new IllegalArgumentException("a floor above verified: " + floor);
        because = because == null ? "" : because;
    }

    /**
     * What every next hop must give this message. REQUIRETLS or an
     * authenticated floor asks for an authenticated server; REQUIRETLS
     * requires the parameter to be offered, an authenticated floor sends it
     * where offered (decisions 3 and 4). {@code nullReversePath}: RFC 8689 5
     * (and 4.2.1, which is for a non-empty MAIL FROM only): a bounce is not
     * discarded because the next hop lacks REQUIRETLS; it still carries the
     * parameter where offered and still needs an authenticated hop.
     */
    public HopRequirement needs(boolean nullReversePath) {
        Strength least = requireTls ? Strength.VERIFIED : floor;
        HopRequirement.RequireTls parameter = requireTls && !nullReversePath ? HopRequirement.RequireTls.REQUIRED
                : least.verified() ? HopRequirement.RequireTls.WHEN_OFFERED : HopRequirement.RequireTls.NO;
        return new HopRequirement(least, parameter);
    }

    /** {@link #needs(boolean)} for a message with a sender. */
    public HopRequirement needs() {
        return needs(false);
    }

    /** True if the message asks for more than the destination's own policy. */
    public boolean demandsAnything() {
        return needs().any();
    }

    public TransportDemand withRequireTls(boolean value) {
        return new TransportDemand(value, tlsRequiredNo, floor, because);
    }

    public TransportDemand withTlsRequiredNo(boolean value) {
        return new TransportDemand(requireTls, value, floor, because);
    }

    /** Raises the floor (never lowers it); the reason goes with the higher floor. */
    public TransportDemand atLeast(Strength wanted, String reason) {
        return wanted.compareTo(floor) > 0 ? new TransportDemand(requireTls, tlsRequiredNo, wanted, reason) : this;
    }

    /**
     * The floor as the spool files and the {@code event=transport-demand}
     * log line name it: "NONE", "ENCRYPTED", "AUTHENTICATED".
     */
    public String floorName() {
        return switch (floor) {
            case PLAINTEXT -> "NONE";
            case ENCRYPTED -> "ENCRYPTED";
            default -> "AUTHENTICATED";
        };
    }

    /** The floor {@link #floorName} names. */
    public static Strength floorNamed(String name) {
        return switch (name) {
            case "NONE" -> Strength.PLAINTEXT;
            case "ENCRYPTED" -> Strength.ENCRYPTED;
            case "AUTHENTICATED" -> Strength.VERIFIED;
            default -> throw new IllegalArgumentException("not a transport floor: " + name);
        };
    }
}
