package org.depesche.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads a certificate chain and a private key from PEM files (RFC 7468):
 * keys in PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1
 * ("EC PRIVATE KEY", with or without the "EC PARAMETERS" block OpenSSL puts
 * before it). Every failure is a {@link TlsConfigException} naming the file.
 */
final class PemFiles {
    private PemFiles() {
    }

    /** A chain (leaf first) and the leaf's private key, checked to belong together. */
    record Identity(List<X509Certificate> chain, PrivateKey key) {
    }

    static Identity load(Path certFile, Path keyFile) throws TlsConfigException {
        List<X509Certificate> chain = readChain(certFile);
        PrivateKey key = readKey(keyFile);
        if (!matches(key, chain.get(0).getPublicKey()))
            throw new TlsConfigException(keyFile + ": private key does not match the certificate in " + certFile);
        return new Identity(List.copyOf(chain), key);
    }

    static List<X509Certificate> readChain(Path file) throws TlsConfigException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(reader(file))) {
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder holder) chain.add(converter.getCertificate(holder));
            }
        } catch (IOException | CertificateException | IllegalArgumentException e) {
            throw new TlsConfigException(file + ": not a valid PEM certificate file (" + e.getMessage() + ")", e);
        }
        if (chain.isEmpty()) throw new TlsConfigException(file + ": no \"BEGIN CERTIFICATE\" block found");
        return chain;
    }

    static PrivateKey readKey(Path file) throws TlsConfigException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(reader(file))) {
            for (Object o; (o = parser.readObject()) != null; ) {
                switch (o) {
                    case PrivateKeyInfo info -> { return converter.getPrivateKey(info); }
                    case PEMKeyPair pair -> { return converter.getPrivateKey(pair.getPrivateKeyInfo()); }
                    case PKCS8EncryptedPrivateKeyInfo e -> throw encrypted(file);
                    case PEMEncryptedKeyPair e -> throw encrypted(file);
                    default -> { } // "EC PARAMETERS" blocks and stray certificates
                }
            }
        } catch (TlsConfigException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new TlsConfigException(file + ": not a valid PEM private key (" + e.getMessage() + ")", e);
        }
        throw new TlsConfigException(file + ": no private key found (expected \"BEGIN PRIVATE KEY\", \"BEGIN RSA PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\")");
    }

    private static TlsConfigException encrypted(Path file) {
        return new TlsConfigException(file + ": the private key is encrypted; store it without a passphrase (and mode 0600)");
    }

    private static Reader reader(Path file) throws TlsConfigException {
        try {
            return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    static TlsConfigException unreadable(Path file, IOException e) {
        return e instanceof NoSuchFileException
                ? new TlsConfigException(file + ": file not found")
                : new TlsConfigException(file + ": cannot read (" + e.getMessage() + ")", e);
    }

    /** True if {@code key} is the private half of {@code pub}: sign a nonce and verify it. */
    static boolean matches(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())
                && !(isEc(key.getAlgorithm()) && isEc(pub.getAlgorithm()))) return false;
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) return false;
        try {
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(nonce);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean isEc(String algorithm) {
        return algorithm.equals("EC") || algorithm.equals("ECDSA");
    }
}
