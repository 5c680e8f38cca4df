package org.depesche.smtp.client;

import org.depesche.smtp.TlsInfo;

/**
 * The TLS facts of one attempt: protocol and cipher ({@link TlsInfo#NONE}
 * for plaintext), how the server was authenticated, and a short failure
 * code ("" if none): "starttls-not-supported", "starttls-refused",
 * "handshake-failed", "dane-mismatch", "pkix-untrusted", "pkix-name-mismatch",
 * "pin-mismatch".
 */
public record TlsOutcome(TlsInfo tls, Authentication authentication, String failure) {
    public static final TlsOutcome PLAINTEXT = new TlsOutcome(TlsInfo.NONE, Authentication.NONE, "");

    public TlsOutcome {
        failure = failure == null ? "" : failure;
    }

    static TlsOutcome failed(TlsInfo tls, String failure) {
        return new TlsOutcome(tls, Authentication.NONE, failure);
    }

    @Override
    public String toString() {
        return tls + " auth=" + authentication.label() + (failure.isEmpty() ? "" : " failure=" + failure);
    }
}
