package org.depesche.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A destination's TLS security level, named as Postfix names them (smtp_tls_security_level). */
public enum TlsLevel {
    /** Never STARTTLS. */
    NONE("none"),
    /** Opportunistic TLS (RFC 7435): unauthenticated, plaintext if STARTTLS is not offered. */
    MAY("may"),
    /** Mandatory TLS, unauthenticated. */
    ENCRYPT("encrypt"),
    /** Opportunistic DANE (RFC 7672 2.2): authenticated where secure TLSA records exist, else "may". */
    DANE("dane"),
    /** DANE required: no secure usable TLSA records means no delivery. */
    DANE_ONLY("dane-only"),
    /** PKIX chain to the trust store and the MX host name (RFC 6125), or the configured pins. */
    VERIFY("verify");

    private final String tomlName;

    TlsLevel(String tomlName) {
        this.tomlName = tomlName;
    }

    /** The name used in the config file and in messages. */
    public String tomlName() {
        return tomlName;
    }

    /** The level with this name (case-insensitive); IllegalArgumentException with the accepted names otherwise. */
    public static TlsLevel parse(String name) {
        for (TlsLevel l : values()) if (l.tomlName.equals(name.toLowerCase(Locale.ROOT))) return l;
        throw new IllegalArgumentException("TLS level must be one of " + names() + ", not '" + name + "'");
    }

    public static String names() {
        return Arrays.stream(values()).map(TlsLevel::tomlName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return tomlName;
    }
}
