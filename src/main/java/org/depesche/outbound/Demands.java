package org.depesche.outbound;

import java.util.Optional;

import org.depesche.policy.PolicyEngine;
import org.depesche.queue.TransportDemand;
import org.depesche.smtp.client.DeliveryAttempt;
import org.depesche.transport.HopRequirement;
import org.depesche.transport.TlsFailure;

/**
 * The words for a message's transport demand that a host could not meet
 * (issue 4: a bounce names the recipient domain, the MX host and the reason
 * in words a user understands, and why the message demanded it).
 */
final class Demands {

    private Demands() {
    }

    /**
     * Why an attempt failed for the message's demand, in words, or null if
     * it failed for a reason that passes (connection, timeout, a 4xx reply,
     * a failed handshake).
     */
    static String failure(DeliveryAttempt a, TransportDemand d) {
        TlsFailure f = a.tls().failure().orElse(null);
        if (!failsDemand(a.tls().failure(), d)) return null;
        if (f == TlsFailure.STARTTLS_NOT_SUPPORTED) return a.mxHost() + " offers no encryption (STARTTLS)";
        if (f == TlsFailure.REQUIRETLS_NOT_OFFERED)
            return a.mxHost() + " does not offer REQUIRETLS (RFC 8689), which the sender asked for";
        return a.mxHost() + ": its certificate could not be verified: " + a.message();
    }

    /**
     * True if a client failure means the host cannot meet the demand, so it counts toward a bounce rather
     * than a retry; delivery and the probe agree through this one rule.
     */
    static boolean failsDemand(Optional<TlsFailure> failure, TransportDemand d) {
        if (failure.isEmpty()) return false;
        HopRequirement needs = d.needs();
        // The encrypt floor asks for TLS only: a certificate the domain's own policy (DANE, MTA-STS) or the
        // downgrade memory wanted verified is that policy's failure, which waits like any other message's.
        return switch (failure.get()) {
            case STARTTLS_NOT_SUPPORTED -> needs.any();
            case REQUIRETLS_NOT_OFFERED -> needs.authenticated();
            default -> failure.get().certificateRejected() && needs.authenticated();
        };
    }

    /** The RFC 3463 status a bounce for this failure carries (RFC 8689 4.2.1): 5.7.30 for a missing REQUIRETLS. */
    static String status(Optional<TlsFailure> failure) {
        return failure.filter(f -> f == TlsFailure.REQUIRETLS_NOT_OFFERED).isPresent()
                ? PolicyEngine.REQUIRETLS_NEEDED : PolicyEngine.TLS_NEEDED;
    }

    /** The detail of a bounce: RFC 3463 status first, then what was demanded, why, and what each host lacked. */
    static String bounce(String domain, TransportDemand d, Problems problems) {
        String how = d.needs().authenticated()
                ? "only over TLS to an authenticated server" + (d.requireTls() ? " that offers REQUIRETLS" : "")
                : "only over encrypted TLS";
        return problems.status(PolicyEngine.REQUIRETLS_NEEDED) + " Nothing was sent to " + domain
                + ": this message may travel " + how + ", because " + because(d) + ", and no MX host of " + domain
                + " allows that: " + problems.demanded() + ".";
    }

    private static String because(TransportDemand d) {
        if (!d.because().isEmpty()) return d.because();
        return d.requireTls() ? "the sender asked for REQUIRETLS (RFC 8689)" : "its sender demands it";
    }
}
