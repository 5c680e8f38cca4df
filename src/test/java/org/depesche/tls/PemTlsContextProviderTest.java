package org.depesche.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.depesche.tls.TlsTestSupport.connect;
import static org.depesche.tls.TlsTestSupport.roundTrip;
import static org.depesche.tls.TlsTestSupport.trusting;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTlsContextProviderTest {
    private static final String HOST = "mail.example.test";

    @TempDir
    Path dir;
    private final SettableClock clock = new SettableClock();

    private Path cert() {
        return dir.resolve("tls/cert.pem");
    }

    private Path key() {
        return dir.resolve("tls/key.pem");
    }

    private SelfSignedCertificate writeSelfSigned(String host) throws Exception {
        SelfSignedCertificate c = SelfSignedCertificate.generate(host, clock);
        c.writePem(cert(), key());
        return c;
    }

    private PemTlsContextProvider provider() throws IOException {
        return new PemTlsContextProvider(cert(), key(), Duration.ofSeconds(10), clock);
    }

    @Test
    void aClientTrustingTheGeneratedCertificateNegotiatesTls13WithTheHostNameVerified() throws Exception {
        SelfSignedCertificate c = writeSelfSigned(HOST);
        try (var server = new TlsTestSupport.EchoServer(provider());
             SSLSocket client = connect(trusting(c.certificate()), server.port(), HOST)) {
            assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(c.certificate());
            assertThat(roundTrip(client, "hello")).isEqualTo("hello");
        }
    }

    @Test
    void aTls12ClientGetsAnEcdheSuiteWithAnAeadCipher() throws Exception {
        SelfSignedCertificate c = writeSelfSigned(HOST);
        try (var server = new TlsTestSupport.EchoServer(provider());
             SSLSocket client = connect(trusting(c.certificate()), server.port(), HOST, new String[]{"TLSv1.2"}, null)) {
            assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(client.getSession().getCipherSuite()).matches("TLS_ECDHE_ECDSA_WITH_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)");
        }
    }

    @Test
    void aTls12ClientThatRenegotiatesIsCutOffWhileItsSessionWorkedBefore() throws Exception {
        // testssl.sh: "Secure Client-Initiated Renegotiation: VULNERABLE, potential DoS threat" (every
        // renegotiation costs the server a full handshake). Every listener wraps its sockets here.
        SelfSignedCertificate c = writeSelfSigned(HOST);
        try (var server = new TlsTestSupport.EchoServer(provider());
             SSLSocket client = connect(trusting(c.certificate()), server.port(), HOST, new String[]{"TLSv1.2"}, null)) {
            assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(roundTrip(client, "before")).isEqualTo("before");
            client.startHandshake(); // on an established TLS 1.2 session: a new ClientHello (RFC 5746)
            assertThatThrownBy(() -> {
                String echoed = roundTrip(client, "after");
                if (echoed == null) throw new java.io.EOFException("closed");
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aTls12ClientOfferingOnlyCbcSuitesIsRefused() throws Exception {
        SelfSignedCertificate c = writeSelfSigned(HOST);
        try (var server = new TlsTestSupport.EchoServer(provider())) {
            assertThatThrownBy(() -> connect(trusting(c.certificate()), server.port(), HOST,
                    new String[]{"TLSv1.2"}, new String[]{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"}).close())
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aTls11OnlyClientHelloIsAnsweredWithAProtocolVersionAlert() throws Exception {
        writeSelfSigned(HOST);
        // Written by hand: the JDK's own client can no longer be talked into offering TLS 1.1.
        try (var server = new TlsTestSupport.EchoServer(provider());
             Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(tls11ClientHello());
            raw.getOutputStream().flush();
            DataInputStream in = new DataInputStream(raw.getInputStream());
            byte[] record = new byte[7];
            in.readFully(record);
            assertThat(record[0]).as("content type alert").isEqualTo((byte) 21);
            assertThat(record[5]).as("level fatal").isEqualTo((byte) 2);
            assertThat(record[6]).as("protocol_version (RFC 5246 7.2.2)").isEqualTo((byte) 70);
        }
    }

    @Test
    void replacedFilesAreServedToNewConnectionsWhileAnOpenConnectionStaysUp() throws Exception {
        SelfSignedCertificate first = writeSelfSigned(HOST);
        PemTlsContextProvider provider = provider();
        try (var server = new TlsTestSupport.EchoServer(provider)) {
            SelfSignedCertificate second = SelfSignedCertificate.generate(HOST, clock);
            SSLContext client = trusting(first.certificate(), second.certificate());
            try (SSLSocket open = connect(client, server.port(), HOST)) {
                assertThat(roundTrip(open, "one")).isEqualTo("one");

                second.writePem(cert(), key());
                clock.advance(Duration.ofSeconds(11));

                try (SSLSocket fresh = connect(client, server.port(), HOST)) {
                    assertThat(fresh.getSession().getPeerCertificates()[0]).isEqualTo(second.certificate());
                    assertThat(roundTrip(fresh, "new")).isEqualTo("new");
                }
                assertThat(roundTrip(open, "two")).isEqualTo("two");
                assertThat(open.getSession().getPeerCertificates()[0]).isEqualTo(first.certificate());
                assertThat(provider.chain()).containsExactly(second.certificate());
            }
        }
    }

    @Test
    void filesAreNotLookedAtAgainBeforeTheReloadIntervalHasPassed() throws Exception {
        SelfSignedCertificate first = writeSelfSigned(HOST);
        PemTlsContextProvider provider = provider();
        SelfSignedCertificate.generate(HOST, clock).writePem(cert(), key());
        clock.advance(Duration.ofSeconds(9));
        assertThat(provider.chain()).containsExactly(first.certificate());
        clock.advance(Duration.ofSeconds(2));
        assertThat(provider.chain()).doesNotContain(first.certificate());
    }

    @Test
    void aBrokenReplacementIsIgnoredAndTheOldCertificateKeepsBeingServed() throws Exception {
        SelfSignedCertificate first = writeSelfSigned(HOST);
        PemTlsContextProvider provider = provider();
        try (var server = new TlsTestSupport.EchoServer(provider)) {
            // Half-way through a renewal: the new certificate is there, the matching key not yet.
            SelfSignedCertificate second = SelfSignedCertificate.generate(HOST, clock);
            Files.writeString(cert(), second.certificatePem());
            clock.advance(Duration.ofSeconds(11));
            try (SSLSocket client = connect(trusting(first.certificate()), server.port(), HOST)) {
                assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(first.certificate());
            }
            // Once the key follows, the new pair is picked up.
            Files.writeString(key(), second.privateKeyPem());
            clock.advance(Duration.ofSeconds(11));
            assertThat(provider.chain()).containsExactly(second.certificate());
        }
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRefusedWithAClearMessage() throws Exception {
        writeSelfSigned(HOST);
        Files.writeString(key(), SelfSignedCertificate.generate(HOST, clock).privateKeyPem());
        assertThatThrownBy(this::provider)
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(key() + ": private key does not match the certificate in " + cert());
    }

    @Test
    void aMissingCertificateFileIsReportedByName() throws Exception {
        assertThatThrownBy(this::provider)
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(cert() + ": file not found");
    }

    @Test
    void aFileWithoutAKeyIsReportedWithTheExpectedFormats() throws Exception {
        SelfSignedCertificate c = writeSelfSigned(HOST);
        Files.writeString(key(), c.certificatePem());
        assertThatThrownBy(this::provider)
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(key() + ": no private key found");
    }

    @Test
    void anRsaKeyInPkcs1FormServesAnRsaCertificate() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair pair = rsa.generateKeyPair();
        SelfSignedCertificate c = SelfSignedCertificate.forKeyPair(pair, HOST, clock);
        Files.createDirectories(cert().getParent());
        Files.writeString(cert(), c.certificatePem());
        String pkcs1 = traditionalPem(pair);
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Files.writeString(key(), pkcs1);
        try (var server = new TlsTestSupport.EchoServer(provider());
             SSLSocket client = connect(trusting(c.certificate()), server.port(), HOST, new String[]{"TLSv1.2"}, null)) {
            assertThat(client.getSession().getCipherSuite()).startsWith("TLS_ECDHE_RSA_WITH_");
        }
    }

    @Test
    void anEcKeyInSec1FormWithTheParametersBlockOpenSslWritesIsAccepted() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = ec.generateKeyPair();
        SelfSignedCertificate c = SelfSignedCertificate.forKeyPair(pair, HOST, clock);
        Files.createDirectories(cert().getParent());
        Files.writeString(cert(), c.certificatePem());
        String sec1 = sec1Pem(pair);
        // `openssl ecparam -genkey` output: an EC PARAMETERS block (prime256v1) before the key.
        Files.writeString(key(), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + sec1);
        assertThat(provider().chain()).containsExactly(c.certificate());
    }

    @Test
    void wrappedSocketsOfferOnlyTls12And13AndTheRfc9325Suites() throws Exception {
        writeSelfSigned(HOST);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             SSLSocket s = provider().wrapServer(listener.accept())) {
            assertThat(s.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
            assertThat(s.getEnabledCipherSuites()).isNotEmpty()
                    .allMatch(PemTlsContextProvider.CIPHER_SUITES::contains);
            assertThat(s.getSSLParameters().getUseCipherSuitesOrder()).isTrue();
            assertThat(s.getUseClientMode()).isFalse();
        }
    }

    /** SEC1 "EC PRIVATE KEY" with the named curve and public key inside, as OpenSSL writes it. */
    private static String sec1Pem(KeyPair pair) throws IOException {
        var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
                PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded()).parsePrivateKey());
        var full = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).getPublicKeyData(),
                new X962Parameters(SECObjectIdentifiers.secp256r1));
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            w.writeObject(new PemObject("EC PRIVATE KEY", full.getEncoded()));
        }
        return out.toString();
    }

    private static String traditionalPem(KeyPair pair) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(pair.getPrivate());
        }
        return out.toString();
    }

    /** A minimal TLS 1.1 ClientHello (RFC 4346 7.4.1.2) offering only CBC suites. */
    private static byte[] tls11ClientHello() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[]{3, 2});                       // client_version TLS 1.1
        body.writeBytes(new byte[32]);                           // random
        body.write(0);                                           // session_id
        body.writeBytes(new byte[]{0, 6, (byte) 0xC0, 0x13, (byte) 0xC0, 0x09, 0x00, 0x2F});
        body.writeBytes(new byte[]{1, 0});                       // compression: null
        byte[] ext = {0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17,   // supported_groups: secp256r1
                      0x00, 0x0b, 0x00, 0x02, 0x01, 0x00};              // ec_point_formats: uncompressed
        body.writeBytes(new byte[]{0, (byte) ext.length});
        body.writeBytes(ext);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        int hsLen = b.length + 4;
        record.writeBytes(new byte[]{22, 3, 1, (byte) (hsLen >> 8), (byte) hsLen});
        record.writeBytes(new byte[]{1, 0, (byte) (b.length >> 8), (byte) b.length});
        record.writeBytes(b);
        return record.toByteArray();
    }
}
