package org.depesche.smtp.client;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.depesche.dane.CertificateNames;
import org.depesche.dane.DaneVerdict;
import org.depesche.dane.DaneVerifier;
import org.depesche.smtp.Printable;
import org.depesche.mail.TlsInfo;

/**
 * Decides, right after the handshake and before any SMTP command goes
 * through the TLS session, whether the server's chain satisfies the
 * requirement. Doing it after the handshake rather than inside it is what
 * Postfix does: the session stays up long enough to say QUIT, and the reason
 * is kept in words instead of a bare TLS alert.
 */
final class ServerAuthenticator {
    private final DaneVerifier dane;
    private final X509TrustManager pkix;

    /** {@code pkixTrustStore} null means the JDK's default trust store (cacerts). */
    ServerAuthenticator(Clock clock, KeyStore pkixTrustStore) throws GeneralSecurityException {
        this.dane = new DaneVerifier(clock);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(pkixTrustStore);
        X509TrustManager found = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) found = x;
        }
        if (found == null) throw new GeneralSecurityException("no X.509 trust manager for PKIX");
        this.pkix = found;
    }

    /**
     * What the check found: the authentication achieved, or a failure code
     * and reason. The reason quotes the certificate's names and the PKIX
     * checker's message, both the peer's to choose, so it is made
     * {@link Printable} (issue 8 finding 9).
     */
    record Verdict(Authentication authentication, String failure, String reason) {
        Verdict {
            reason = Printable.printable(reason);
        }

        boolean ok() {
            return failure.isEmpty();
        }
    }

    Verdict verify(TlsRequirement requirement, String mxHost, List<X509Certificate> chain, TlsInfo tls) {
        return switch (requirement) {
            case TlsRequirement.None n -> new Verdict(Authentication.NONE, "", "");
            case TlsRequirement.Opportunistic o -> new Verdict(Authentication.NONE, "", "");
            case TlsRequirement.Encrypted e -> new Verdict(Authentication.NONE, "", "");
            case TlsRequirement.Dane d -> dane(d, mxHost, chain);
            case TlsRequirement.Pkix p -> pkix(p.referenceNames(), mxHost, chain, tls);
            case TlsRequirement.Pinned p -> pinned(p.sha256Fingerprints(), mxHost, chain);
        };
    }

    private Verdict dane(TlsRequirement.Dane d, String mxHost, List<X509Certificate> chain) {
        DaneVerdict v = dane.verify(chain, d.records(), d.referenceNames());
        return switch (v.result()) {
            case DANE_EE -> new Verdict(Authentication.DANE_EE, "", "");
            case DANE_TA -> new Verdict(Authentication.DANE_TA, "", "");
            // RFC 7672 2.2: no usable record means encrypted but unauthenticated.
            case NO_USABLE_RECORDS -> new Verdict(Authentication.NONE, "", "");
            case NO_MATCH -> new Verdict(Authentication.NONE, "dane-mismatch",
                    "TLSA records for " + mxHost + " do not match the certificate it presented (" + v.reason() + ")");
        };
    }

    private Verdict pkix(Set<String> names, String mxHost, List<X509Certificate> chain, TlsInfo tls) {
        try {
            pkix.checkServerTrusted(chain.toArray(X509Certificate[]::new), authType(tls));
        } catch (CertificateException | RuntimeException e) {
            return new Verdict(Authentication.NONE, "pkix-untrusted",
                    "the certificate of " + mxHost + " is not trusted: " + e.getMessage());
        }
        // RFC 9525 6.3: DNS-IDs only, no CN fallback.
        if (CertificateNames.matchedName(chain.get(0), names, false).isEmpty()) {
            return new Verdict(Authentication.NONE, "pkix-name-mismatch",
                    "the certificate of " + mxHost + " is not valid for " + String.join(", ", names)
                            + " (it names " + String.join(", ", CertificateNames.presentedNames(chain.get(0), false)) + ")");
        }
        return new Verdict(Authentication.PKIX, "", "");
    }

    private static Verdict pinned(Set<String> pins, String mxHost, List<X509Certificate> chain) {
        try {
            X509Certificate leaf = chain.get(0);
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            String cert = HexFormat.of().formatHex(sha256.digest(leaf.getEncoded()));
            String spki = HexFormat.of().formatHex(sha256.digest(leaf.getPublicKey().getEncoded()));
            if (pins.contains(cert) || pins.contains(spki)) return new Verdict(Authentication.PINNED, "", "");
            return new Verdict(Authentication.NONE, "pin-mismatch", "the certificate of " + mxHost
                    + " matches none of the pinned fingerprints (certificate SHA-256 " + cert + ")");
        } catch (GeneralSecurityException e) {
            return new Verdict(Authentication.NONE, "pin-mismatch", "the certificate of " + mxHost + " cannot be read");
        }
    }

    /** The JDK checks key usage by key exchange; TLS 1.3 has none to name ("UNKNOWN"). */
    private static String authType(TlsInfo tls) {
        String cipher = tls.cipher();
        if (tls.protocol().equals("TLSv1.3") || !cipher.startsWith("TLS_")) return "UNKNOWN";
        int with = cipher.indexOf("_WITH_");
        return with > 4 ? cipher.substring(4, with) : "UNKNOWN";
    }

    /**
     * The context for client handshakes. Its trust manager lets every chain
     * through the handshake because {@link #verify} decides afterwards, for
     * every requirement, before the first command inside TLS.
     */
    static SSLContext handshakeContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new DecideAfterHandshake()}, null);
        return context;
    }

    private static final class DecideAfterHandshake extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
