package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.depesche.outbound.OutboundFixture.MX;
import static org.depesche.outbound.OutboundFixture.spkiSha256;
import static org.depesche.outbound.OutboundFixture.tlsaName;

import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.depesche.config.Config;
import org.depesche.dns.DnsResolver;
import org.depesche.dns.TestDns;
import org.depesche.mtasts.FilePolicyStore;
import org.depesche.mtasts.PolicyCache;
import org.depesche.mtasts.StsRecord;
import org.depesche.outbound.ProbeReport.Level;
import org.depesche.policy.FileDowngradeMemory;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.TransportDemand;
import org.depesche.smtp.client.ClientTimeouts;
import org.depesche.smtp.client.ServerProbe;
import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;
import org.junit.jupiter.api.io.TempDir;

/**
 * `depesche probe` underneath: the signed test DNS, real TLS servers on
 * loopback that record every command, and the policy engine, MX lookup and
 * TLS checks of delivery. In every case the server must never see MAIL FROM.
 */
class ProbeTest {
    static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n";

    @TempDir
    Path dir;
    TestPki.Identity ca;
    ServerProbe serverProbe;

    @BeforeEach
    void setUp() throws Exception {
        ca = TestPki.ca("Test Web PKI");
        serverProbe = probeClient(TestPki.trustStore(ca.certificate()));
    }

    @AfterEach
    void tearDown() {
        serverProbe.close();
    }

    private static ServerProbe probeClient(KeyStore trust) throws Exception {
        return new ServerProbe("sender.test", ClientTimeouts.all(Duration.ofSeconds(20)), trust, Clock.systemUTC());
    }

    private Probe probe(DnsResolver dns, int port, ServerProbe server, Probe.MtaStsSource sts, Config.Policy... table) {
        Config.Delivery settings = new Config.Delivery("dane", port, null, null, null, null, null, List.of(table));
        PolicyEngine engine = new PolicyEngine(settings, new FileDowngradeMemory(dir.resolve("data/policy")),
                sts == null ? null : sts.cache());
        return new Probe(new DeliveryPlanner(dns, engine, port, new java.util.Random(0), Set.of("mx.sender.test")),
                d -> d.equals("sender.test"), sts, server, Clock.systemUTC());
    }

    private Probe probe(DnsResolver dns, int port) {
        return probe(dns, port, serverProbe, null);
    }

    private Probe.MtaStsSource mtaSts(DnsResolver dns, PolicyServer policyHost) throws Exception {
        var fetcher = policyHost.fetcher(PolicyServer.clientTrusting(ca));
        return new Probe.MtaStsSource(new PolicyCache(new FilePolicyStore(dir.resolve("data/mta-sts")), fetcher, d -> StsRecord.lookup(dns, d),
                Clock.systemUTC()));
    }

    private static TestDns signedWithTlsa(int port, byte[] data) {
        return TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                .tlsa(tlsaName(port, MX), 3, 1, 1, data).start();
    }

    private static TestDns unsigned() {
        return TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start();
    }

    private static ProbeReport.Connection onlyConnection(ProbeReport r) {
        assertThat(r.mx()).hasSize(1);
        assertThat(r.mx().getFirst().connections()).hasSize(1);
        return r.mx().getFirst().connections().getFirst();
    }

    @Test
    void aDomainWithMatchingTlsaIsDaneVerifiedAndTheServerSeesNoMailFrom() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), spkiSha256(id))) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("alice@example.org");
            assertThat(r.level()).isEqualTo(Level.DANE_VERIFIED);
            assertThat(r.summary()).contains("would travel DANE-verified");
            assertThat(r.route().kind()).isEqualTo("mx");
            assertThat(r.route().dnssec()).isEqualTo("secure");
            ProbeReport.Mx mx = r.mx().getFirst();
            assertThat(mx.requirement()).isEqualTo("dane");
            assertThat(mx.addressDnssec()).isEqualTo("secure");
            assertThat(mx.tlsa().dnssec()).isEqualTo("secure");
            assertThat(mx.tlsa().records()).singleElement().satisfies(t -> {
                assertThat(t.usable()).isTrue();
                assertThat(t.record()).startsWith("3 1 1 ");
            });
            assertThat(onlyConnection(r).authentication()).isEqualTo("dane-ee");
            assertThat(server.tlsUsed()).isTrue();
            assertThat(server.received("MAIL")).isFalse();
            assertThat(server.commands()).last().isEqualTo("QUIT");
        }
    }

    @Test
    void aTlsaRecordThatDoesNotMatchIsReportedAsAMismatchAndTheHostAsUnusable() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), spkiSha256(TestPki.selfSigned(MX)))) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org");
            assertThat(r.level()).isEqualTo(Level.UNDELIVERABLE);
            assertThat(r.summary()).contains("would wait in the queue");
            ProbeReport.Connection c = onlyConnection(r);
            assertThat(c.failure()).isEqualTo("tlsa-invalid");
            assertThat(c.message()).contains("TLSA records for mx.example.org do not match the certificate it presented");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void anMtaStsEnforceDomainWithAPkixValidCertificateIsMtaStsVerified() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.leaf(ca, MX)));
             PolicyServer policyHost = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .txt("_mta-sts.example.org", "v=STSv1; id=20261128;").start()) {
            DnsResolver resolver = dns.validatingResolver();
            ProbeReport r = probe(resolver, server.address().getPort(), serverProbe, mtaSts(resolver, policyHost))
                    .probe("example.org");
            assertThat(r.level()).isEqualTo(Level.MTA_STS_VERIFIED);
            assertThat(r.mtaSts().recordId()).isEqualTo("20261128");
            assertThat(r.mtaSts().mode()).isEqualTo("enforce");
            assertThat(r.mtaSts().mxPatterns()).containsExactly(MX);
            assertThat(r.mtaSts().maxAge()).isEqualTo(86400L);
            assertThat(r.mtaSts().fetchedNow()).isTrue();
            assertThat(r.mtaSts().error()).isNull();
            assertThat(r.mx().getFirst().requirement()).isEqualTo("pkix");
            assertThat(onlyConnection(r).authentication()).isEqualTo("pkix");
            assertThat(onlyConnection(r).pkixValid()).isTrue();
            ProbeReport again = probe(resolver, server.address().getPort(), serverProbe, mtaSts(resolver, policyHost))
                    .probe("example.org");
            assertThat(again.mtaSts().fetchedNow()).isFalse();
            assertThat(again.mtaSts().fetchedAt()).isEqualTo(r.mtaSts().fetchedAt());
            assertThat(policyHost.requests()).isEqualTo(1);
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void anMxNotListedInATestingPolicyIsNotedButStillUsed() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
             PolicyServer policyHost = new PolicyServer(TestPki.leaf(ca, "localhost"))
                     .serve("version: STSv1\r\nmode: testing\r\nmx: other.example.org\r\nmax_age: 86400\r\n");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .txt("_mta-sts.example.org", "v=STSv1; id=1;").start()) {
            DnsResolver resolver = dns.validatingResolver();
            ProbeReport r = probe(resolver, server.address().getPort(), serverProbe, mtaSts(resolver, policyHost))
                    .probe("example.org");
            assertThat(r.mtaSts().mode()).isEqualTo("testing");
            assertThat(r.level()).isEqualTo(Level.ENCRYPTED);
            assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("mx.example.org is not listed in the MTA-STS policy"));
        }
    }

    @Test
    void aStaticVerifyEntryAndTheDowngradeMemoryAreReportedAndAPkixValidMxIsVerified() throws Exception {
        new FileDowngradeMemory(dir.resolve("data/policy"))
                .remember("example.org", Strength.VERIFIED, MX, Instant.parse("2026-11-01T10:00:00Z"));
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.leaf(ca, MX)));
             TestDns dns = unsigned()) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort(), serverProbe, null,
                    new Config.Policy("example.org", "verify", null)).probe("example.org");
            assertThat(r.policy().level()).isEqualTo("verify");
            assertThat(r.policy().fromTable()).isTrue();
            assertThat(r.policy().remembered().protection()).isEqualTo("verified");
            assertThat(r.policy().remembered().at()).isEqualTo("2026-11-01T10:00:00Z");
            assertThat(r.level()).isEqualTo(Level.VERIFIED);
            assertThat(r.mx().getFirst().requirement()).isEqualTo("pkix");
            assertThat(onlyConnection(r).authentication()).isEqualTo("pkix");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void aPolicyHostThatAnswers404IsReportedAsTheMtaStsError() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
             PolicyServer policyHost = new PolicyServer(TestPki.leaf(ca, "localhost")).respond(404, "text/plain", new byte[0]);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .txt("_mta-sts.example.org", "v=STSv1; id=20261128;").start()) {
            DnsResolver resolver = dns.validatingResolver();
            ProbeReport r = probe(resolver, server.address().getPort(), serverProbe, mtaSts(resolver, policyHost))
                    .probe("example.org");
            assertThat(r.mtaSts().recordId()).isEqualTo("20261128");
            assertThat(r.mtaSts().mode()).isNull();
            assertThat(r.mtaSts().error()).contains("HTTP 404");
            assertThat(r.level()).isEqualTo(Level.ENCRYPTED);
        }
    }

    /** A failed _mta-sts TXT lookup is not reported as "no record" (found in a README walk-through). */
    @Test
    void aFailedMtaStsTxtLookupIsReportedAsSuchNotAsNoRecord() throws Exception {
        try (PolicyServer policyHost = new PolicyServer(TestPki.leaf(ca, "localhost")).respond(404, "text/plain", new byte[0]);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .txt("_mta-sts.example.org", "v=STSv1; id=20261128;").start()) {
            dns.forge("_mta-sts.example.org", Type.TXT, "\"v=STSv1; id=forged;\"");
            DnsResolver resolver = dns.validatingResolver();
            ProbeReport r = probe(resolver, 25, null, mtaSts(resolver, policyHost)).probe("example.org");
            assertThat(r.mtaSts().recordId()).isNull();
            assertThat(r.mtaSts().error()).contains("_mta-sts TXT lookup failed").contains("bogus");
        }
    }

    /** THREATS T14: a policy host that stalls after the headers costs the probe one fetch deadline, asked once. */
    @Test
    void aPolicyHostThatStallsIsAskedOnceAndReportedAsPastItsDeadline() throws Exception {
        Duration deadline = Duration.ofSeconds(2);
        try (PolicyServer policyHost = new PolicyServer(TestPki.leaf(ca, "localhost"))
                     .stallAfterHeaders("version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .txt("_mta-sts.example.org", "v=STSv1; id=20261128;").start()) {
            DnsResolver resolver = dns.validatingResolver();
            var sts = new Probe.MtaStsSource(new PolicyCache(new FilePolicyStore(dir.resolve("data/mta-sts")),
                    policyHost.fetcher(PolicyServer.clientTrusting(ca), deadline), d -> StsRecord.lookup(resolver, d), Clock.systemUTC()));
            ProbeReport r = java.util.concurrent.CompletableFuture.supplyAsync(() -> probe(resolver, 25, null, sts).probe("example.org"))
                    .get(deadline.plusSeconds(8).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(r.mtaSts().error()).contains("within 2 s");
            assertThat(r.mtaSts().mode()).isNull();
            assertThat(policyHost.requests()).isEqualTo(1);
        }
    }

    @Test
    void anUnsignedDomainWithStartTlsAndASelfSignedCertificateIsEncryptedButUnverified() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
             TestDns dns = unsigned()) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("bob@example.org");
            assertThat(r.level()).isEqualTo(Level.ENCRYPTED);
            assertThat(r.level().words()).isEqualTo("encrypted but unverified");
            assertThat(r.route().dnssec()).isEqualTo("insecure");
            ProbeReport.Mx mx = r.mx().getFirst();
            assertThat(mx.requirement()).isEqualTo("may");
            assertThat(mx.tlsa()).isNull();
            assertThat(mx.reason()).contains("not DNSSEC-signed");
            ProbeReport.Connection c = onlyConnection(r);
            assertThat(c.tls()).startsWith("TLSv1.");
            assertThat(c.authentication()).isEqualTo("none");
            assertThat(c.pkixValid()).isFalse();
            assertThat(c.certificateNames()).containsExactly(MX);
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void aServerWithoutStartTlsIsPlaintext() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null); TestDns dns = unsigned()) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org");
            assertThat(r.level()).isEqualTo(Level.PLAINTEXT);
            ProbeReport.Connection c = onlyConnection(r);
            assertThat(c.starttlsOffered()).isFalse();
            assertThat(c.tls()).isEqualTo("none");
            assertThat(server.received("MAIL")).isFalse();
            assertThat(server.received("STARTTLS")).isFalse();
        }
    }

    @Test
    void requireTlsOfferedInsideTlsIsReported() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)))
                .extensions("PIPELINING", "ENHANCEDSTATUSCODES", "REQUIRETLS");
             TestDns dns = unsigned()) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org");
            assertThat(onlyConnection(r).requireTls()).isTrue();
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void aRequireTlsMessageToADaneHostWithoutRequireTlsWouldBounceAndOneOfferingItIsDaneVerified() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), spkiSha256(id))) {
            TransportDemand requireTls = TransportDemand.NONE.withRequireTls(true);
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org", requireTls);
            assertThat(r.demand()).isEqualTo("requiretls");
            assertThat(r.level()).isEqualTo(Level.UNDELIVERABLE);
            assertThat(r.summary()).contains("would bounce");
            assertThat(onlyConnection(r).failure()).isEqualTo("requiretls-not-offered");
            server.extensions("PIPELINING", "ENHANCEDSTATUSCODES", "REQUIRETLS");
            ProbeReport offered = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org", requireTls);
            assertThat(offered.level()).isEqualTo(Level.DANE_VERIFIED);
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void mailFromASecureSenderToAnUnsignedDomainWithoutMtaStsIsRefusedWithoutConnecting() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
             TestDns dns = unsigned()) {
            TransportDemand secure = TransportDemand.NONE.atLeast(Strength.VERIFIED, "secure sender");
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org", secure);
            assertThat(r.demand()).isEqualTo("authenticated");
            assertThat(r.level()).isEqualTo(Level.UNDELIVERABLE);
            assertThat(r.mx().getFirst().requirement()).isEqualTo("refuse");
            assertThat(r.mx().getFirst().reason()).contains("cannot be authenticated");
            assertThat(r.summary()).contains("would bounce");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void aDomainWithoutMxRecordsIsItsOwnImplicitMx() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().signedZone("example.org").a("example.org", "127.0.0.1").start()) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org");
            assertThat(r.route().kind()).isEqualTo("implicit-mx");
            assertThat(r.mx()).extracting(ProbeReport.Mx::host).containsExactly("example.org");
        }
    }

    @Test
    void aNullMxIsUndeliverableWithoutAnyConnection() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(0, ".").a("example.org", "127.0.0.1").start()) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort()).probe("example.org");
            assertThat(r.level()).isEqualTo(Level.UNDELIVERABLE);
            assertThat(r.route().kind()).isEqualTo("null-mx");
            assertThat(r.summary()).contains("cannot be delivered").contains("null MX");
            assertThat(r.mx()).isEmpty();
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void withoutConnectingTheLevelComesFromDnsAndPolicyAlone() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), spkiSha256(id))) {
            ProbeReport r = probe(dns.validatingResolver(), server.address().getPort(), null, null).probe("example.org");
            assertThat(r.connected()).isFalse();
            assertThat(r.level()).isEqualTo(Level.DANE_VERIFIED);
            assertThat(r.summary()).contains("not connected");
            assertThat(r.mx().getFirst().connections()).isEmpty();
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void aLocalDomainStaysOnThisServer() {
        ProbeReport r = probe(null, 25, serverProbe, null).probe("alice@sender.test");
        assertThat(r.level()).isEqualTo(Level.LOCAL);
        assertThat(r.summary()).contains("mail stays on this server");
    }

    @Test
    void anythingButAnAddressOrADomainIsRefusedInOneLine() {
        Probe p = probe(null, 25, serverProbe, null);
        for (String bad : List.of("", "alice@", "../etc", "a@[192.0.2.1]", "bad domain.org"))
            assertThatThrownBy(() -> p.probe(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("\n");
    }
}
