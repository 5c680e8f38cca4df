package org.depesche.dane;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Server identity checks of RFC 6125 6.4 / RFC 9525 6.3: DNS-IDs from the
 * subjectAltName, compared case-insensitively, a wildcard only as the whole
 * left-most label and matching exactly one label. The subject CN is a
 * fallback only where the caller allows it (RFC 7672 3.2.3 for DANE-TA;
 * RFC 9525 drops CN-IDs for PKIX).
 */
public final class CertificateNames {
    private static final int SAN_DNS_NAME = 2;

    private CertificateNames() {
    }

    /** The reference name that {@code leaf} is valid for, if any. */
    public static Optional<String> matchedName(X509Certificate leaf, Set<String> referenceNames, boolean commonNameFallback) {
        List<String> presented = presentedNames(leaf, commonNameFallback);
        for (String reference : referenceNames) {
            for (String name : presented) {
                if (matches(name, reference)) return Optional.of(reference);
            }
        }
        return Optional.empty();
    }

    /** DNS-IDs of the certificate; the CNs only if there is no DNS-ID and the fallback is allowed. */
    public static List<String> presentedNames(X509Certificate cert, boolean commonNameFallback) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS_NAME).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of(); // an unparsable SAN names nothing
        }
        if (names.isEmpty() && commonNameFallback) {
            X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
            for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
                names.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
            }
        }
        return names;
    }

    /** RFC 9525 6.3: exact match, or "*.rest" matching one label followed by "rest". */
    public static boolean matches(String presented, String reference) {
        String p = normalize(presented);
        String r = normalize(reference);
        if (p.isEmpty() || r.isEmpty()) return false;
        if (!p.startsWith("*.")) return !p.contains("*") && p.equals(r);
        String suffix = p.substring(1); // ".example.org"
        // A wildcard for a bare TLD or with further '*' is never valid (RFC 9525 6.3).
        if (suffix.indexOf('*') >= 0 || suffix.indexOf('.', 1) < 0) return false;
        int firstDot = r.indexOf('.');
        return firstDot > 0 && r.substring(firstDot).equals(suffix);
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
