package org.depesche.smtp.client;

import org.depesche.mail.TlsInfo;

/**
 * The TLS facts of one attempt: protocol and cipher ({@link TlsInfo#NONE}
 * for plaintext), how the server was authenticated, and a short failure
 * code ("" if none): "starttls-not-supported", "starttls-refused",
 * "handshake-failed", "dane-mismatch", "pkix-untrusted", "pkix-name-mismatch",
 * "pin-mismatch", "requiretls-not-offered". {@code auditFailure}: why the
 * certificate failed a PKIX check that was made without enforcing it
 * ({@link TlsRequirement#pkixAudit()}, RFC 8461 5.2), "" if it passed or
 * none was made.
 */
public record TlsOutcome(TlsInfo tls, Authentication authentication, String failure, String auditFailure) {
    public static final TlsOutcome PLAINTEXT = new TlsOutcome(TlsInfo.NONE, Authentication.NONE, "");

    public TlsOutcome {
        failure = failure == null ? "" : failure;
        auditFailure = auditFailure == null ? "" : auditFailure;
    }

    public TlsOutcome(TlsInfo tls, Authentication authentication, String failure) {
        this(tls, authentication, failure, "");
    }

    static TlsOutcome failed(TlsInfo tls, String failure) {
        return new TlsOutcome(tls, Authentication.NONE, failure);
    }

    @Override
    public String toString() {
        return tls + " auth=" + authentication.label() + (failure.isEmpty() ? "" : " failure=" + failure);
    }
}
