package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.depesche.config.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/** The resolver built from a [dns] section, trust anchors and server lists. */
class DnsResolversTest {
    static TestDns dns;
    @TempDir
    Path dir;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder().signedZone("example.test").mx(10, "mx.example.test").start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    private String server() {
        return "127.0.0.1:" + dns.address().getPort();
    }

    @Test
    void aConfiguredTrustAnchorFileAndServerGiveAValidatingResolver() throws Exception {
        Path anchor = Files.writeString(dir.resolve("root.ds"), dns.trustAnchor());
        Config.Dns config = new Config.Dns("validate", List.of(server()), anchor, Duration.ofSeconds(2));

        try (CachingDnsResolver r = DnsResolvers.fromConfig(config, Clock.systemUTC())) {
            assertThat(r.mx("example.test").status()).isEqualTo(DnssecStatus.SECURE);
        }
    }

    @Test
    void theBuiltInRootAnchorDoesNotTrustAPrivateRoot() {
        Config.Dns config = new Config.Dns("validate", List.of(server()), null, Duration.ofSeconds(2));

        try (CachingDnsResolver r = DnsResolvers.fromConfig(config, Clock.systemUTC())) {
            DnsResult mx = r.mx("example.test");
            assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.BOGUS);
        }
    }

    @Test
    void trustAdModeFromTheConfigTrustsTheLoopbackResolver() {
        Config.Dns config = new Config.Dns("trust-ad", List.of(server()), null, Duration.ofSeconds(2));

        try (CachingDnsResolver r = DnsResolvers.fromConfig(config, Clock.systemUTC())) {
            assertThat(r.mx("example.test").status()).isEqualTo(DnssecStatus.SECURE);
        }
    }

    @Test
    void aTrustAnchorFileWithoutKeysIsRefusedNamingTheFile() throws Exception {
        Path anchor = Files.writeString(dir.resolve("root.ds"), "; nothing here\n");
        Config.Dns config = new Config.Dns("validate", List.of(server()), anchor, Duration.ofSeconds(2));

        assertThatThrownBy(() -> DnsResolvers.fromConfig(config, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(anchor.toString());
    }

    @Test
    void aMissingTrustAnchorFileIsRefusedNamingTheFile() {
        Path anchor = dir.resolve("missing.ds");
        Config.Dns config = new Config.Dns("validate", List.of(server()), anchor, Duration.ofSeconds(2));

        assertThatThrownBy(() -> DnsResolvers.fromConfig(config, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read trust anchor file " + anchor);
    }

    @Test
    void theBuiltInAnchorHoldsBothIanaRootKeys() {
        assertThat(TrustAnchors.IANA_ROOT).contains(". 172800 IN DS 20326 8 2 E06D44B8").contains("DS 38696 8 2 683D2D0A");
    }

    @Test
    void nameserversAreReadFromResolvConfSkippingWhatIsNotAnAddress() throws Exception {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), """
                # generated
                search example.org
                nameserver 192.0.2.53
                nameserver fe80::1%eth0
                nameserver not-an-address
                nameserver ::1
                options edns0
                """);

        assertThat(DnsResolvers.resolvConfServers(conf)).containsExactly(
                new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("fe80::1", 53),
                new InetSocketAddress("::1", 53));
        assertThat(DnsResolvers.resolvConfServers(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void aNameThatIsNotADomainNameIsAFailureNotAnException() {
        DnsResult r = dns.validatingResolver().lookup("bad..name", Type.A);

        assertThat(r.outcome()).isEqualTo(DnsResult.Outcome.FAILED);
        assertThat(r.status()).isEqualTo(DnssecStatus.INDETERMINATE);
        assertThat(r.reason()).isEqualTo("not a valid domain name: bad..name");
    }

    @Test
    void signaturesAreCheckedAgainstTheResolversClock() {
        var clock = new org.depesche.testsupport.SettableClock(java.time.Instant.parse("2026-03-01T12:00:00Z"));
        try (TestDns d = TestDns.builder().clock(clock).signedZone("example.test").mx(10, "mx.example.test").start()) {
            assertThat(d.validatingResolver().mx("example.test").status()).isEqualTo(DnssecStatus.SECURE);

            clock.advance(Duration.ofDays(31));
            DnsResult later = d.validatingResolver().mx("example.test");

            assertThat(later.status()).as(later.toString()).isEqualTo(DnssecStatus.BOGUS);
        }
    }

    @Test
    void daneRecordsCanBeMadeFromACertificate() throws Exception {
        java.security.cert.X509Certificate x509 =
                org.depesche.tls.SelfSignedCertificate.generate("mx.dane.test", Clock.systemUTC()).certificate();
        try (TestDns d = TestDns.builder().signedZone("dane.test")
                .daneEe("_25._tcp.mx.dane.test", x509).daneTa("_25._tcp.ta.dane.test", x509).start()) {
            CachingDnsResolver r = d.validatingResolver();
            TLSARecord ee = r.tlsa(25, "mx.dane.test").records(TLSARecord.class).getFirst();
            TLSARecord ta = r.tlsa(25, "ta.dane.test").records(TLSARecord.class).getFirst();

            assertThat(ee.getCertificateUsage()).isEqualTo(3);
            assertThat(ee.getSelector()).isEqualTo(1);
            assertThat(ee.getCertificateAssociationData()).isEqualTo(
                    java.security.MessageDigest.getInstance("SHA-256").digest(x509.getPublicKey().getEncoded()));
            assertThat(ta.getCertificateUsage()).isEqualTo(2);
            assertThat(ta.getCertificateAssociationData()).isEqualTo(
                    java.security.MessageDigest.getInstance("SHA-256").digest(x509.getEncoded()));
        }
    }

    @Test
    void theSignedZonesCanBeWrittenAsZoneFilesForAnotherServer() throws Exception {
        dns.writeZoneFiles(dir);

        assertThat(dir.resolve("root.zone")).content().contains("RRSIG").contains("DNSKEY").contains("NSEC");
        assertThat(dir.resolve("test.zone")).content().contains("example.test.").contains("DS");
        assertThat(dir.resolve("example.test.zone")).content().contains("MX").contains("RRSIG");
        assertThat(dir.resolve("trust-anchor.ds")).content().isEqualTo(dns.trustAnchor());
    }
}
