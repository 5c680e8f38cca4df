package org.depesche.dane;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Authenticates a server's certificate chain (leaf first, as presented in
 * the handshake) with TLSA records, RFC 7672 3.1 and RFC 7671 5. Records
 * must come from a DNSSEC-secure RRset; checking that is the caller's job.
 */
public final class DaneVerifier {
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");
    private final Clock clock;

    /** {@code clock} dates the DANE-TA chain validation; DANE-EE ignores dates. */
    public DaneVerifier(Clock clock) {
        this.clock = clock;
    }

    /**
     * DANE-EE records are tried against the leaf first, then DANE-TA records
     * against the rest of the chain. {@code referenceNames} are the names the
     * leaf must carry under DANE-TA (RFC 7672 3.2.2: the MX host name and,
     * after CNAME expansion, the names of RFC 7672 2.2.3).
     */
    public DaneVerdict verify(List<X509Certificate> chain, List<TlsaRecord> records, Set<String> referenceNames) {
        List<TlsaRecord> usable = strongestDigests(records.stream().filter(TlsaRecord::isUsableForSmtp).toList());
        if (usable.isEmpty()) {
            return DaneVerdict.failed(DaneVerdict.Result.NO_USABLE_RECORDS, "no usable TLSA record (RFC 7672 3.1.3)");
        }
        if (chain.isEmpty()) return DaneVerdict.failed(DaneVerdict.Result.NO_MATCH, "no certificate presented");
        X509Certificate leaf = chain.get(0);
        // RFC 7672 3.1.1: DANE-EE binds the key itself; names and dates do not matter.
        for (TlsaRecord r : usable) {
            if (r.usage() == TlsaRecord.DANE_EE && r.matches(leaf)) return DaneVerdict.matched(DaneVerdict.Result.DANE_EE, r);
        }
        String failure = "no TLSA record matches the certificate chain";
        for (TlsaRecord r : usable) {
            if (r.usage() != TlsaRecord.DANE_TA) continue;
            for (int i = 1; i <= chain.size(); i++) {
                TrustAnchor anchor = anchorFor(r, chain, i);
                if (anchor == null) continue;
                String problem = checkTaChain(chain.subList(0, i), anchor, referenceNames);
                if (problem.isEmpty()) return DaneVerdict.matched(DaneVerdict.Result.DANE_TA, r);
                failure = problem;
            }
        }
        return DaneVerdict.failed(DaneVerdict.Result.NO_MATCH, failure);
    }

    /**
     * RFC 7671 9 (digest algorithm agility): of the digest records of one
     * usage and selector only those of the strongest digest count, so a
     * weaker digest kept for old clients cannot be attacked. Full(0) records
     * are not digests and always count.
     */
    private static List<TlsaRecord> strongestDigests(List<TlsaRecord> usable) {
        return usable.stream().filter(r -> r.matchingType() != TlsaRecord.MATCH_SHA256 || usable.stream().noneMatch(
                s -> s.matchingType() == TlsaRecord.MATCH_SHA512 && s.usage() == r.usage() && s.selector() == r.selector()))
                .toList();
    }

    /**
     * The trust anchor for a DANE-TA record at chain position {@code i}: the
     * certificate there if it matches, or (RFC 7671 5.2.2) for "2 0 0" the
     * published certificate and for "2 1 0" a bare public key that signed the
     * top of the chain when the server did not send the TA certificate (a
     * digest cannot stand in for it).
     */
    private static TrustAnchor anchorFor(TlsaRecord r, List<X509Certificate> chain, int i) {
        if (i < chain.size()) return r.matches(chain.get(i)) ? new TrustAnchor(chain.get(i), null) : null;
        if (r.matchingType() != TlsaRecord.MATCH_FULL) return null;
        if (r.selector() == TlsaRecord.SELECTOR_CERT) {
            X509Certificate ta = certificate(r.data());
            return ta == null ? null : new TrustAnchor(ta, null);
        }
        PublicKey key = publicKey(r.data());
        if (key == null) return null;
        return new TrustAnchor(chain.get(chain.size() - 1).getIssuerX500Principal(), key, null);
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            return null; // not a certificate: the record cannot anchor anything
        }
    }

    private static PublicKey publicKey(byte[] spki) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
            } catch (GeneralSecurityException e) {
                // not this algorithm; try the next
            }
        }
        return null;
    }

    /** Empty if the path validates up to the anchor and the leaf names a reference name; otherwise why not. */
    private String checkTaChain(List<X509Certificate> path, TrustAnchor anchor, Set<String> referenceNames) {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(Set.of(anchor));
            // DANE has no revocation channel of its own; TLSA TTLs are the revocation (RFC 7671 5.2).
            params.setRevocationEnabled(false);
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (GeneralSecurityException e) {
            return "the chain to the DANE-TA trust anchor does not validate: " + e.getMessage();
        }
        // RFC 7672 3.2.3: CN is accepted when the certificate has no DNS-ID.
        if (CertificateNames.matchedName(path.get(0), referenceNames, true).isEmpty()) {
            return "the certificate chains to the DANE-TA trust anchor but names none of " + String.join(", ", referenceNames);
        }
        return "";
    }
}
