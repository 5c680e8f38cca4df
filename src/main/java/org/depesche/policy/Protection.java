package org.depesche.policy;

import java.util.Locale;

import org.depesche.smtp.client.Authentication;
import org.depesche.smtp.client.DeliveryAttempt;

/**
 * How well a delivery was protected, weakest first: the order in which the
 * downgrade memory compares them (THREATS T10).
 */
public enum Protection {
    NONE("without TLS"),
    TLS("with unauthenticated TLS"),
    VERIFIED("with verified TLS (PKIX or pinned)"),
    DANE("with DANE-verified TLS");

    private final String words;

    Protection(String words) {
        this.words = words;
    }

    /** "with DANE-verified TLS", for sentences. */
    public String words() {
        return words;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Protection parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    public boolean atLeast(Protection other) {
        return compareTo(other) >= 0;
    }

    /** What a completed attempt achieved. */
    public static Protection of(DeliveryAttempt attempt) {
        if (!attempt.tls().tls().isEncrypted()) return NONE;
        Authentication a = attempt.tls().authentication();
        return switch (a) {
            case NONE -> TLS;
            case PKIX, PINNED -> VERIFIED;
            case DANE_EE, DANE_TA -> DANE;
        };
    }
}
