package org.depesche.outbound;

import org.depesche.policy.PolicyEngine;
import org.depesche.queue.TransportDemand;
import org.depesche.smtp.client.DeliveryAttempt;

/**
 * The words for a message's transport demand that a host could not meet
 * (issue 4: a bounce names the recipient domain, the MX host and the reason
 * in words a user understands, and why the message demanded it).
 */
final class Demands {
    static final String REQUIRETLS_NOT_OFFERED = "requiretls-not-offered";

    private Demands() {
    }

    /**
     * Why an attempt failed for the message's demand, in words, or null if
     * it failed for a reason that passes (connection, timeout, a 4xx reply,
     * a failed handshake).
     */
    static String failure(DeliveryAttempt a, TransportDemand d) {
        if (!failsDemand(a.tls().failure(), d)) return null;
        return switch (a.tls().failure()) {
            case "starttls-not-supported" -> a.mxHost() + " offers no encryption (STARTTLS)";
            case "dane-mismatch", "pkix-untrusted", "pkix-name-mismatch", "pin-mismatch" ->
                    a.mxHost() + ": its certificate could not be verified: " + a.message();
            case REQUIRETLS_NOT_OFFERED -> a.mxHost() + " does not offer REQUIRETLS (RFC 8689), which the sender asked for";
            default -> null;
        };
    }

    /**
     * True if a client failure code ({@link org.depesche.smtp.client.TlsOutcome#failure()}) means the host
     * cannot meet the demand, so it counts toward a bounce rather than a retry; delivery and the probe agree
     * through this one rule.
     */
    static boolean failsDemand(String failureCode, TransportDemand d) {
        // The encrypt floor asks for TLS only: a certificate the domain's own policy (DANE, MTA-STS) or the
        // downgrade memory wanted verified is that policy's failure, which waits like any other message's.
        boolean authenticating = d.requireTls() || d.floor() == TransportDemand.Floor.AUTHENTICATED;
        return switch (failureCode) {
            case "starttls-not-supported" -> d.demandsAnything();
            case "dane-mismatch", "pkix-untrusted", "pkix-name-mismatch", "pin-mismatch", REQUIRETLS_NOT_OFFERED -> authenticating;
            default -> false;
        };
    }

    /** The detail of a bounce: RFC 3463 status first, then what was demanded, why, and what each host lacked. */
    static String bounce(String domain, TransportDemand d, Problems problems) {
        String how = d.requireTls() || d.floor() == TransportDemand.Floor.AUTHENTICATED
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
