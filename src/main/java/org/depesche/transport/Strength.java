package org.depesche.transport;

/**
 * How strongly one hop is protected, weakest first. The one scale that the
 * outbound policy, the downgrade memory (THREATS T10), `depesche probe` and a
 * message's demand compare: a hop at a strength gives at least what every
 * weaker one gives.
 * <ul>
 * <li>{@link #VERIFIED}: the server's certificate was checked, by PKIX
 *     (RFC 9525) or against the operator's pins, for another reason than
 *     MTA-STS (a static {@code verify} entry, the downgrade memory, a
 *     demanding message on a DNSSEC-signed MX);</li>
 * <li>{@link #MTA_STS_VERIFIED}: PKIX, on a name an MTA-STS policy in
 *     enforce mode lists (RFC 8461 4.1);</li>
 * <li>{@link #DANE_VERIFIED}: the chain matched DNSSEC-signed TLSA records
 *     (RFC 7672 3).</li>
 * </ul>
 * Whether a {@link #VERIFIED} hop counts as authenticated for REQUIRETLS
 * (RFC 8689 4.2.1) depends on how the MX name was found; the policy engine
 * decides that, not the scale.
 */
public enum Strength {
    PLAINTEXT("plaintext", "plaintext", "without TLS"),
    ENCRYPTED("encrypted", "encrypted but unverified", "with unauthenticated TLS"),
    VERIFIED("verified", "certificate-verified", "with verified TLS (PKIX or pinned)"),
    MTA_STS_VERIFIED("mta-sts-verified", "MTA-STS-verified", "with MTA-STS-verified TLS"),
    DANE_VERIFIED("dane-verified", "DANE-verified", "with DANE-verified TLS");

    private final String label;
    private final String words;
    private final String with;

    Strength(String label, String words, String with) {
        this.label = label;
        this.words = words;
        this.with = with;
    }

    /** "dane-verified", "encrypted": for scripts (`depesche probe --json`). */
    public String label() {
        return label;
    }

    /** "DANE-verified", "encrypted but unverified": for people. */
    public String words() {
        return words;
    }

    /** "with DANE-verified TLS", "without TLS": for sentences such as "it was reached ...". */
    public String with() {
        return with;
    }

    public boolean atLeast(Strength other) {
        return compareTo(other) >= 0;
    }

    /** True from {@link #VERIFIED} up: the server's certificate was checked. */
    public boolean verified() {
        return atLeast(VERIFIED);
    }
}
