package org.depesche.dns;

/** The DNSSEC security status of an answer (RFC 4033 5, RFC 4035 4.3). */
public enum DnssecStatus {
    /** Validated along an unbroken chain of trust from the trust anchor. */
    SECURE,
    /** Proven to lie in an unsigned zone (an insecure delegation was validated). */
    INSECURE,
    /** Should have validated but did not: forged, expired or missing signatures or proofs. */
    BOGUS,
    /** Could not be decided: the upstream did not answer or failed. */
    INDETERMINATE;

    /**
     * The weaker of two statuses, for answers built from several lookups
     * (a CNAME chain, A plus AAAA): secure only if both are.
     */
    public DnssecStatus and(DnssecStatus other) {
        return rank(this) >= rank(other) ? this : other;
    }

    private static int rank(DnssecStatus s) {
        return switch (s) {
            case SECURE -> 0;
            case INSECURE -> 1;
            case INDETERMINATE -> 2;
            case BOGUS -> 3;
        };
    }
}
