package org.depesche.dane;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One TLSA record (RFC 6698 2.1): certificate usage, selector, matching
 * type and the association data. Independent of any DNS library; the
 * resolver's records are converted by the caller.
 */
public record TlsaRecord(int usage, int selector, int matchingType, byte[] data) {
    public static final int PKIX_TA = 0;
    public static final int PKIX_EE = 1;
    public static final int DANE_TA = 2;
    public static final int DANE_EE = 3;
    public static final int SELECTOR_CERT = 0;
    public static final int SELECTOR_SPKI = 1;
    public static final int MATCH_FULL = 0;
    public static final int MATCH_SHA256 = 1;
    public static final int MATCH_SHA512 = 2;

    public TlsaRecord {
        if (usage < 0 || usage > 255 || selector < 0 || selector > 255 || matchingType < 0 || matchingType > 255)
            throw new IllegalArgumentException("TLSA fields are octets");
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * RFC 7672 3.1.3: only DANE-TA(2) and DANE-EE(3), selectors 0 and 1,
     * matching types 0, 1, 2, and digests of the right length are usable.
     */
    public boolean isUsableForSmtp() {
        if (usage != DANE_TA && usage != DANE_EE) return false;
        if (selector != SELECTOR_CERT && selector != SELECTOR_SPKI) return false;
        return switch (matchingType) {
            case MATCH_FULL -> data.length > 0;
            case MATCH_SHA256 -> data.length == 32;
            case MATCH_SHA512 -> data.length == 64;
            default -> false;
        };
    }

    /** True if this record's selector and matching type applied to {@code cert} give its data. */
    public boolean matches(X509Certificate cert) {
        try {
            byte[] selected = selector == SELECTOR_CERT ? cert.getEncoded() : cert.getPublicKey().getEncoded();
            return MessageDigest.isEqual(associationData(selected, matchingType), data);
        } catch (CertificateEncodingException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The record a server operator would publish for {@code cert} (RFC 6698 2.1.2 to 2.1.4). */
    public static TlsaRecord of(int usage, int selector, int matchingType, X509Certificate cert) {
        try {
            byte[] selected = selector == SELECTOR_CERT ? cert.getEncoded() : cert.getPublicKey().getEncoded();
            return new TlsaRecord(usage, selector, matchingType, associationData(selected, matchingType));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    /** Parses the presentation form "3 1 1 ab12..." (hex may contain spaces). */
    public static TlsaRecord parse(String text) {
        String[] parts = text.trim().split("\\s+", 4);
        if (parts.length != 4) throw new IllegalArgumentException("TLSA needs usage, selector, matching type and data");
        try {
            byte[] data = HexFormat.of().parseHex(parts[3].replaceAll("\\s+", "").toLowerCase(Locale.ROOT));
            return new TlsaRecord(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), data);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid TLSA record: " + e.getMessage(), e);
        }
    }

    private static byte[] associationData(byte[] selected, int matchingType) {
        try {
            return switch (matchingType) {
                case MATCH_FULL -> selected;
                case MATCH_SHA256 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case MATCH_SHA512 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> throw new IllegalArgumentException("matching type " + matchingType);
            };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256 and SHA-512", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsaRecord r && r.usage == usage && r.selector == selector
                && r.matchingType == matchingType && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + usage * 65536 + selector * 256 + matchingType;
    }

    /** The presentation form of RFC 6698 2.2 as DNS tools print it, hex in upper case: "3 1 1 AB12...". */
    public String presentation() {
        return usage + " " + selector + " " + matchingType + " " + HexFormat.of().withUpperCase().formatHex(data);
    }

    @Override
    public String toString() {
        return usage + " " + selector + " " + matchingType + " " + HexFormat.of().formatHex(data);
    }
}
