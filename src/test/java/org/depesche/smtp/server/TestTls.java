package org.depesche.smtp.server;

import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.depesche.tls.PemTlsContextProvider;
import org.depesche.tls.SelfSignedCertificate;

/**
 * The server's real TLS identity for a test: a self-signed P-256
 * certificate for localhost written as PEM and served by the production
 * {@link PemTlsContextProvider}; the test clients trust exactly that
 * certificate (no permissive TrustManager), so every handshake is real.
 */
final class TestTls {
    final PemTlsContextProvider provider;
    private final SSLContext client;
    private final SSLContext tls12Client;

    TestTls(Path dir) throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.generate("localhost", Clock.systemUTC());
        Path certFile = dir.resolve("tls/cert.pem");
        Path keyFile = dir.resolve("tls/key.pem");
        cert.writePem(certFile, keyFile);
        provider = new PemTlsContextProvider(certFile, keyFile, Duration.ofSeconds(10), Clock.systemUTC());

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        tls12Client = SSLContext.getInstance("TLSv1.2"); // enables 1.2 and below, and below is disabled in the JDK
        tls12Client.init(null, tmf.getTrustManagers(), null);
    }

    /** A client context that trusts exactly the test certificate. */
    SSLContext clientContext() {
        return client;
    }

    /** Like {@link #clientContext()}, but offering TLS 1.2 only (1.3 has no renegotiation to test). */
    SSLContext tls12ClientContext() {
        return tls12Client;
    }
}
