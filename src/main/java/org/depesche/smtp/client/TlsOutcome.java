package org.depesche.smtp.client;

import java.util.Optional;

import org.depesche.mail.TlsInfo;
import org.depesche.transport.Strength;
import org.depesche.transport.TlsFailure;

/**
 * The TLS facts of one attempt: protocol and cipher ({@link TlsInfo#NONE}
 * for plaintext), how the server was authenticated, and why TLS failed, as
 * a {@link TlsFailure} (empty if it did not). {@code auditFailure}: why the
 * certificate failed a PKIX check that was made without enforcing it
 * ({@link TlsRequirement#pkixAudit()}, RFC 8461 5.2), as a failure and its words; empty if it passed or
 * none was made.
 */
public record TlsOutcome(TlsInfo tls, Authentication authentication, Optional<TlsFailure> failure,
                         Optional<AuditFailure> auditFailure) {
    public static final TlsOutcome PLAINTEXT = new TlsOutcome(TlsInfo.NONE, Authentication.NONE, Optional.empty(),
            Optional.empty());

    public TlsOutcome {
        failure = failure == null ? Optional.empty() : failure;
        auditFailure = auditFailure == null ? Optional.empty() : auditFailure;
    }

    /** What a PKIX check made without enforcing it found: the failure, and why in words for logs and results. */
    public record AuditFailure(TlsFailure failure, String reason) {
    }

    static TlsOutcome failed(TlsInfo tls, TlsFailure failure) {
        return new TlsOutcome(tls, Authentication.NONE, Optional.of(failure), Optional.empty());
    }

    /** True if TLS failed for this reason. */
    public boolean failedWith(TlsFailure f) {
        return failure.filter(f::equals).isPresent();
    }

    /**
     * Where this connection stands on the scale. {@code pkix}: what a PKIX
     * authentication is worth for this host ({@link Strength#MTA_STS_VERIFIED}
     * where the domain's MTA-STS policy enforces it, else {@link Strength#VERIFIED});
     * pins are always {@link Strength#VERIFIED}.
     */
    public Strength strength(Strength pkix) {
        if (!tls.isEncrypted()) return Strength.PLAINTEXT;
        return switch (authentication) {
            case NONE -> Strength.ENCRYPTED;
            case PKIX -> pkix;
            case PINNED -> Strength.VERIFIED;
            case DANE_EE, DANE_TA -> Strength.DANE_VERIFIED;
        };
    }

    @Override
    public String toString() {
        return tls + " auth=" + authentication.label() + failure.map(f -> " failure=" + f.label()).orElse("");
    }
}
