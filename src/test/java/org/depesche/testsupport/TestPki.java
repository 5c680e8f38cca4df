package org.depesche.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for TLS tests, built with Bouncy Castle: private CAs, leaves
 * they issue (with the names a test wants, or expired), self-signed leaves,
 * and the server contexts, trust stores and PEM files made from them.
 */
public final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestPki() {
    }

    /** A certificate with its key and the chain a server would send (leaf first, CA included). */
    public record Identity(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {
    }

    /** A self-signed CA certificate (basicConstraints cA=true). */
    public static Identity ca(String commonName) throws Exception {
        KeyPair keys = keyPair();
        X500Name name = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(365))), name, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
        X509Certificate cert = sign(b, keys.getPrivate());
        return new Identity(cert, keys.getPrivate(), List.of(cert));
    }

    /** A server leaf issued by {@code ca} with these DNS names, valid now. */
    public static Identity leaf(Identity ca, String... dnsNames) throws Exception {
        Instant now = Instant.now();
        return issue(ca, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(90)), dnsNames);
    }

    /** A server leaf issued by {@code ca} that expired yesterday. */
    public static Identity expiredLeaf(Identity ca, String... dnsNames) throws Exception {
        Instant now = Instant.now();
        return issue(ca, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), dnsNames);
    }

    /** A self-signed server certificate (not a CA) for these names. */
    public static Identity selfSigned(String... dnsNames) throws Exception {
        return issue(null, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(90)), dnsNames);
    }

    /** A self-signed server certificate that expired yesterday. */
    public static Identity expiredSelfSigned(String... dnsNames) throws Exception {
        Instant now = Instant.now();
        return issue(null, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), dnsNames);
    }

    /** A leaf issued by {@code ca} with the name only in the subject CN and no subjectAltName. */
    public static Identity leafWithCommonNameOnly(Identity ca, String commonName) throws Exception {
        Instant now = Instant.now();
        return issue(ca, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(90)), commonName, new String[0]);
    }

    private static Identity issue(Identity ca, Instant from, Instant until, String... dnsNames) throws Exception {
        return issue(ca, from, until, dnsNames[0], dnsNames);
    }

    private static Identity issue(Identity ca, Instant from, Instant until, String commonName, String[] dnsNames) throws Exception {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + commonName);
        X500Name issuer = ca == null ? subject : X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(from), Date.from(until),
                subject, keys.getPublic());
        List<GeneralName> names = new ArrayList<>();
        for (String n : dnsNames) names.add(new GeneralName(GeneralName.dNSName, n));
        if (!names.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        if (ca != null) {
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
        }
        X509Certificate cert = sign(b, ca == null ? keys.getPrivate() : ca.key());
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert);
        if (ca != null) chain.addAll(ca.chain());
        return new Identity(cert, keys.getPrivate(), List.copyOf(chain));
    }

    /** A server-side context presenting {@code id}'s chain. */
    public static SSLContext serverContext(Identity id) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", id.key(), new char[0], id.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A trust store holding exactly these certificates as trust anchors. */
    public static KeyStore trustStore(X509Certificate... anchors) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < anchors.length; i++) ks.setCertificateEntry("anchor" + i, anchors[i]);
        return ks;
    }

    /** Writes the chain (leaf first) and the key as PEM, as PemTlsContextProvider reads them. */
    public static void writePem(Identity id, Path certFile, Path keyFile) throws IOException {
        Files.createDirectories(certFile.toAbsolutePath().getParent());
        StringWriter chain = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(chain)) {
            for (X509Certificate c : id.chain()) w.writeObject(c);
        }
        StringWriter key = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(key)) {
            w.writeObject(new JcaPKCS8Generator(id.key(), null));
        }
        Files.writeString(certFile, chain.toString(), StandardCharsets.US_ASCII);
        Files.writeString(keyFile, key.toString(), StandardCharsets.US_ASCII);
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }
}
