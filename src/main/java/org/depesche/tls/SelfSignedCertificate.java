package org.depesche.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate for one host name, for first runs and tests:
 * EC P-256 key, SAN dNSName (plus the loopback addresses for "localhost"),
 * EKU serverAuth, valid for two years. Mail servers that deliver to us
 * without DANE or MTA-STS accept it (RFC 7435 opportunistic TLS); clients
 * must be told to trust it.
 */
public record SelfSignedCertificate(X509Certificate certificate, PrivateKey privateKey) {
    public static final Duration VALIDITY = Duration.ofDays(730);

    /** Generates a fresh P-256 key pair and a certificate for {@code hostname}. */
    public static SelfSignedCertificate generate(String hostname, Clock clock) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return forKeyPair(generator.generateKeyPair(), hostname, clock);
    }

    /** A certificate for an existing key pair (EC or RSA). */
    public static SelfSignedCertificate forKeyPair(KeyPair keys, String hostname, Clock clock) throws GeneralSecurityException {
        Instant now = clock.instant();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
        BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
        boolean ec = keys.getPrivate().getAlgorithm().equals("EC");
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    // An hour of slack for peers whose clocks run behind.
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(hostname));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(ec ? KeyUsage.digitalSignature : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            var signer = new JcaContentSignerBuilder(ec ? "SHA256withECDSA" : "SHA256withRSA").build(keys.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new SelfSignedCertificate(cert, keys.getPrivate());
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot build certificate for " + hostname + ": " + e.getMessage(), e);
        }
    }

    private static GeneralNames subjectAltNames(String hostname) {
        List<GeneralName> names = new ArrayList<>();
        if (hostname.matches("[0-9.]+") || hostname.contains(":")) {
            names.add(new GeneralName(GeneralName.iPAddress, hostname));
        } else {
            names.add(new GeneralName(GeneralName.dNSName, hostname));
        }
        if (hostname.equals("localhost")) {
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** The certificate as PEM text. */
    public String certificatePem() throws IOException {
        return pem(certificate);
    }

    /** The private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"). */
    public String privateKeyPem() throws IOException {
        return pem(new JcaPKCS8Generator(privateKey, null));
    }

    /**
     * Writes cert.pem and key.pem (mode 0600 where the file system has POSIX
     * permissions), each atomically, creating parent directories.
     */
    public void writePem(Path certFile, Path keyFile) throws IOException {
        writeAtomically(keyFile, privateKeyPem(), true);
        writeAtomically(certFile, certificatePem(), false);
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        }
        return out.toString();
    }

    private static void writeAtomically(Path file, String content, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        // Created 0600 from the start: the key is never readable by others, not even briefly.
        Path tmp = posix
                ? Files.createTempFile(dir, ".pem", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".pem", ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            if (posix && !secret) Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
