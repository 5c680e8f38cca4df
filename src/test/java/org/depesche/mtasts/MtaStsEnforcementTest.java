package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

import org.depesche.config.Config;
import org.depesche.dns.DnsResult;
import org.depesche.dns.DnssecStatus;
import org.depesche.policy.DeliveryRequest;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.FileDowngradeMemory;
import org.depesche.policy.MxDecision;
import org.depesche.policy.PolicyEngine;
import org.depesche.smtp.client.TlsRequirement;
import org.depesche.testsupport.SettableClock;
import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.TlsFailure;

/** What PolicyEngine asks of each MX once a domain's MTA-STS policy is fetched over real HTTPS. */
class MtaStsEnforcementTest {
    static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n";
    static final String TESTING = "version: STSv1\r\nmode: testing\r\nmx: mx.example.org\r\nmax_age: 86400\r\n";
    static TestPki.Identity ca;
    static SSLContext trust;

    @TempDir
    Path data;
    final Map<String, StsRecord> txt = new ConcurrentHashMap<>(Map.of("example.org", new StsRecord("id1")));

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca("Test MTA-STS CA");
        trust = PolicyServer.clientTrusting(ca);
    }

    private PolicyEngine engine(PolicyFetcher fetcher) {
        PolicyCache cache = new PolicyCache(new FilePolicyStore(data.resolve("mta-sts")), fetcher, d -> Optional.ofNullable(txt.get(d)), new SettableClock());
        return new PolicyEngine(new Config.Delivery("dane", 25, null, null, null, null, null, null),
                new FileDowngradeMemory(data.resolve("policy")), cache);
    }

    private static MxDecision decide(PolicyEngine engine, String mx) throws Exception {
        DomainPolicy p = engine.forDomain("example.org", new DeliveryRequest(null));
        return engine.forMx(p, new PolicyEngine.MxFacts(mx, false, null, Set.of(mx)));
    }

    @Test
    void underAnEnforcePolicyAListedMxMustPresentAPkixValidCertificateForItsName() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            assertThat(decide(engine(server.fetcher(trust)), "mx.example.org"))
                    .isEqualTo(new MxDecision.Connect(new TlsRequirement.Pkix(Set.of("mx.example.org")), false));
        }
    }

    @Test
    void underAnEnforcePolicyAnMxThatDoesNotMatchIsSkipped() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            MxDecision d = decide(engine(server.fetcher(trust)), "evil.attacker.example");
            assertThat(d).isInstanceOf(MxDecision.Defer.class);
            assertThat(((MxDecision.Defer) d).reason()).contains("evil.attacker.example is not listed in the MTA-STS policy of example.org");
            assertThat(((MxDecision.Defer) d).failure()).isEqualTo(TlsFailure.STS_MX_NOT_LISTED);
        }
    }

    @Test
    void aTestingPolicyLeavesTheRequirementAsTheLevelSetsItAndOnlyRecordsWhatFails() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(TESTING)) {
            assertThat(decide(engine(server.fetcher(trust)), "other.example.net"))
                    .isEqualTo(new MxDecision.Connect(new TlsRequirement.Opportunistic(Set.of("other.example.net")), false,
                            "other.example.net is not listed in the MTA-STS policy of example.org"));
        }
    }

    @Test
    void aDomainWithoutPolicyKeepsOpportunisticTls() throws Exception {
        txt.clear();
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            assertThat(decide(engine(server.fetcher(trust)), "anything.example.net"))
                    .isEqualTo(new MxDecision.Connect(new TlsRequirement.Opportunistic(), false));
            assertThat(server.requests()).isZero();
        }
    }

    @Test
    void aCachedEnforcePolicyIsStillEnforcedWhenThePolicyHostIsUnreachable() throws Exception {
        PolicyFetcher dead;
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            dead = server.fetcher(trust);
            decide(engine(dead), "mx.example.org");
        }
        txt.put("example.org", new StsRecord("id2"));
        assertThat(decide(engine(dead), "evil.attacker.example")).isInstanceOf(MxDecision.Defer.class);
    }

    @Test
    void daneTakesPrecedenceOverAnEnforcePolicy() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            PolicyEngine engine = engine(server.fetcher(trust));
            DomainPolicy p = engine.forDomain("example.org", new DeliveryRequest(null));
            Name owner = Name.fromString("_25._tcp.mx.example.org.");
            TLSARecord tlsa = new TLSARecord(owner, DClass.IN, 300, 3, 1, 1, new byte[32]);
            DnsResult secure = new DnsResult("_25._tcp.mx.example.org", Type.TLSA, DnsResult.Outcome.FOUND, List.of(tlsa),
                    List.of(), DnssecStatus.SECURE, "");
            MxDecision d = engine.forMx(p, new PolicyEngine.MxFacts("mx.example.org", true, secure, Set.of("mx.example.org")));
            assertThat(((MxDecision.Connect) d).requirement()).isInstanceOf(TlsRequirement.Dane.class);
        }
    }
}
