package org.depesche.transport;

import java.util.Optional;

/**
 * Why TLS to a hop failed, or why the policy did not let a hop be used, as
 * data: every delivery attempt and every policy decision that refuses a host
 * carries one of these, and code decides on the value, never on words.
 * The first eleven are the result types of RFC 8460 4.3 (TLS reporting), one
 * value each, and {@link #resultType()} gives their registered name; the rest
 * are what Depesche needs beyond them and have no RFC 8460 type
 * ({@link #isRfc8460()} false), so a TLS report has to say them otherwise.
 */
public enum TlsFailure {
    // RFC 8460 4.3.1: negotiation failures
    /** The MX did not offer STARTTLS (or refused EHLO, so it cannot). */
    STARTTLS_NOT_SUPPORTED("starttls-not-supported", true, Kind.NEGOTIATION),
    /** The certificate does not name the host the policy asks for (RFC 9525 6.3). */
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch", true, Kind.CERTIFICATE),
    /** The certificate, or one in its chain, is expired or not yet valid. */
    CERTIFICATE_EXPIRED("certificate-expired", true, Kind.CERTIFICATE),
    /** No chain of trust to a trust anchor. */
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted", true, Kind.CERTIFICATE),
    /** A certificate check failed for another reason: here, the operator's pins do not match. */
    VALIDATION_FAILURE("validation-failure", true, Kind.CERTIFICATE),

    // RFC 8460 4.3.2.1: DANE policy failures
    /** No TLSA record matched the chain presented, or none is usable for SMTP (RFC 7672 3.1.3). */
    TLSA_INVALID("tlsa-invalid", true, Kind.CERTIFICATE),
    /** The TLSA lookup did not validate (bogus or indeterminate, RFC 7672 2.2). */
    DNSSEC_INVALID("dnssec-invalid", true, Kind.POLICY),
    /** DANE is required (level dane-only) but the host has no DNSSEC-signed TLSA records. */
    DANE_REQUIRED("dane-required", true, Kind.POLICY),

    // RFC 8460 4.3.2.2: MTA-STS policy failures
    /** The policy could not be fetched (unreachable, refused, too slow; RFC 8461 3.3). */
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error", true, Kind.POLICY),
    /** The policy breaks the grammar of RFC 8461 3.2. */
    STS_POLICY_INVALID("sts-policy-invalid", true, Kind.POLICY),
    /** The policy host's certificate is not PKIX-valid for its name (RFC 8461 3.3). */
    STS_WEBPKI_INVALID("sts-webpki-invalid", true, Kind.POLICY),

    // Depesche's own: no RFC 8460 result type
    /** The server offered STARTTLS and then refused it. */
    STARTTLS_REFUSED("starttls-refused", false, Kind.NEGOTIATION),
    /** The TLS handshake failed (no shared protocol or cipher, reset), no certificate, or data injected before it. */
    HANDSHAKE_FAILED("handshake-failed", false, Kind.NEGOTIATION),
    /** A REQUIRETLS message, and the server does not offer REQUIRETLS inside TLS (RFC 8689 4.2.1 step 5). */
    REQUIRETLS_NOT_OFFERED("requiretls-not-offered", false, Kind.NEGOTIATION),
    /** An MTA-STS policy in enforce (or testing) mode does not list this MX (RFC 8461 4.1). */
    STS_MX_NOT_LISTED("sts-mx-not-listed", false, Kind.POLICY),
    /** Less than the downgrade memory holds for the domain (THREATS T10, RFC 7672 6). */
    DOWNGRADE_REFUSED("downgrade-refused", false, Kind.POLICY),
    /** The message demands an authenticated server, and nothing can authenticate this MX (RFC 8689 4.2.1). */
    NO_AUTHENTICATED_TLS("no-authenticated-tls", false, Kind.POLICY);

    /** Where a failure arises: in the TLS negotiation, in checking the certificate, or in the policy before connecting. */
    public enum Kind { NEGOTIATION, CERTIFICATE, POLICY }

    private final String label;
    private final boolean rfc8460;
    private final Kind kind;

    TlsFailure(String label, boolean rfc8460, Kind kind) {
        this.label = label;
        this.rfc8460 = rfc8460;
        this.kind = kind;
    }

    /**
     * The name in `queue show`, `depesche probe` and the logs: the RFC 8460
     * result type where there is one, else Depesche's own name.
     */
    public String label() {
        return label;
    }

    /** The RFC 8460 4.3 result type; empty for Depesche's own values. */
    public Optional<String> resultType() {
        return rfc8460 ? Optional.of(label) : Optional.empty();
    }

    public boolean isRfc8460() {
        return rfc8460;
    }

    public Kind kind() {
        return kind;
    }

    /** True if the server presented a certificate that did not pass the check the requirement asked for. */
    public boolean certificateRejected() {
        return kind == Kind.CERTIFICATE;
    }

    @Override
    public String toString() {
        return label;
    }
}
