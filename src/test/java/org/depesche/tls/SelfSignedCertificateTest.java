package org.depesche.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
    @TempDir
    Path dir;

    @Test
    void theCertificateNamesTheHostAsDnsNameIsForServerAuthAndLastsTwoYears() throws Exception {
        X509Certificate cert = SelfSignedCertificate.generate("mx.example.org", Clock.systemUTC()).certificate();
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(2, "mx.example.org"));
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        Duration validity = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
        assertThat(validity).isBetween(Duration.ofDays(730), Duration.ofDays(731));
        cert.verify(cert.getPublicKey());
    }

    @Test
    void localhostAlsoCoversTheLoopbackAddresses() throws Exception {
        X509Certificate cert = SelfSignedCertificate.generate("localhost", Clock.systemUTC()).certificate();
        assertThat(cert.getSubjectAlternativeNames())
                .contains(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    }

    @Test
    void pemFilesAreWrittenWithTheKeyInPkcs8AndReadableOnlyByTheOwner() throws Exception {
        Path cert = dir.resolve("tls/cert.pem");
        Path key = dir.resolve("tls/key.pem");
        SelfSignedCertificate.generate("localhost", Clock.systemUTC()).writePem(cert, key);
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cert))).isEqualTo("rw-r--r--");
        assertThat(Files.list(dir.resolve("tls"))).hasSize(2);
    }
}
