package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.depesche.dns.DnsResolver;
import org.depesche.dns.TestDns;
import org.depesche.mtasts.FilePolicyStore;
import org.depesche.mtasts.PolicyCache;
import org.depesche.mtasts.StsRecord;
import org.depesche.queue.Courier;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.SettableClock;
import org.depesche.testsupport.TestPki;

/**
 * MTA-STS on the outbound path (THREATS T3): the _mta-sts TXT record from the
 * test DNS, the policy over real HTTPS, a real Depesche MX behind it. The zone
 * is unsigned, so without MTA-STS the level "dane" would settle for
 * opportunistic TLS.
 */
class MtaStsDeliveryTest {
    static final String MX = "mx.example.org";
    static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n";
    static final String TESTING = ENFORCE.replace("enforce", "testing");

    @TempDir
    Path dir;
    TestPki.Identity ca;
    OutboundFixture out;
    PolicyServer policyHost;

    @BeforeEach
    void setUp() throws Exception {
        ca = TestPki.ca("Test Web PKI");
        out = new OutboundFixture(dir, TestPki.trustStore(ca.certificate()));
        policyHost = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE);
    }

    @AfterEach
    void tearDown() {
        policyHost.close();
        out.close();
    }

    private RemoteCourier courier(DnsResolver dns, int port) throws Exception {
        return courier(dns, port, Clock.systemUTC());
    }

    /** With {@code cacheClock} for the MTA-STS cache, so a test can let a cached policy expire. */
    private RemoteCourier courier(DnsResolver dns, int port, Clock cacheClock) throws Exception {
        PolicyCache cache = new PolicyCache(new FilePolicyStore(dir.resolve("data/mta-sts")), policyHost.fetcher(PolicyServer.clientTrusting(ca)),
                d -> StsRecord.lookup(dns, d), cacheClock);
        return out.courier(dns, port, "dane", cache);
    }

    private static TestDns zone(String mxHost) {
        return zone(mxHost, "20261128");
    }

    private static TestDns zone(String mxHost, String stsId) {
        return TestDns.builder().unsignedZone("example.org").mx(10, mxHost).a(mxHost, "127.0.0.1")
                .txt("_mta-sts.example.org", "v=STSv1; id=" + stsId + ";").start();
    }

    /** Delivers once to a listed MX, which caches the ENFORCE policy, then stops the policy host. */
    private void cacheTheEnforcePolicyThenLoseThePolicyHost(Clock cacheClock) throws Exception {
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx0"), TestPki.leaf(ca, MX)); TestDns dns = zone(MX)) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort(), cacheClock), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
        }
        policyHost.close();
    }

    private static Courier.Result only(List<Courier.Result> results) {
        assertThat(results).hasSize(1);
        return results.getFirst();
    }

    @Test
    void anEnforcePolicyDeliversToAListedMxWithAPkixValidCertificate() throws Exception {
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, MX)); TestDns dns = zone(MX)) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().authentication()).isNotEqualTo("none");
            assertThat(mx.queued()).hasSize(1);
            assertThat(policyHost.requests()).isEqualTo(1);
        }
    }

    @Test
    void aCachedEnforcePolicyIsStillEnforcedWhenThePolicyHostIsUnreachableAndTheTxtIdChanged() throws Exception {
        cacheTheEnforcePolicyThenLoseThePolicyHost(Clock.systemUTC());
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, "evil.example.org"));
             TestDns dns = zone("evil.example.org", "20261129")) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("evil.example.org is not listed in the MTA-STS policy of example.org");
            assertThat(mx.queued()).isEmpty();
        }
    }

    @Test
    void anExpiredCachedPolicyThatCannotBeRefetchedNoLongerApplies() throws Exception {
        SettableClock cacheClock = new SettableClock(java.time.Instant.now());
        cacheTheEnforcePolicyThenLoseThePolicyHost(cacheClock);
        cacheClock.advance(java.time.Duration.ofSeconds(86_401)); // max_age is over: RFC 8461 5.1, as if no policy
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, "other.example.org"));
             TestDns dns = zone("other.example.org")) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort(), cacheClock), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(mx.queued()).hasSize(1);
        }
    }

    @Test
    void anMxNotListedInAnEnforcePolicyIsNotUsedAndTheMessageWaits() throws Exception {
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, "evil.example.org"));
             TestDns dns = zone("evil.example.org")) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("evil.example.org is not listed in the MTA-STS policy of example.org");
            assertThat(mx.queued()).isEmpty();
        }
    }

    @Test
    void aListedMxWithoutAValidCertificateIsNotSentTheMessage() throws Exception {
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.selfSigned(MX)); TestDns dns = zone(MX)) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).as(r.detail()).containsIgnoringCase("certificate");
            assertThat(mx.queued()).isEmpty();
        }
    }

    @Test
    void aTestingPolicyDeliversDespiteABadCertificateAndRecordsTheFailure() throws Exception {
        policyHost.serve(TESTING);
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.selfSigned(MX)); TestDns dns = zone(MX)) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.detail()).contains("MTA-STS policy in testing mode not met, RFC 8461 5.2: the certificate of "
                    + "mx.example.org is not trusted");
            assertThat(r.hop().authentication()).isEqualTo("none");
            assertThat(mx.queued()).hasSize(1);
        }
    }

    @Test
    void aTestingPolicyDeliversToAnUnlistedMxAndRecordsThat() throws Exception {
        policyHost.serve(TESTING);
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, "other.example.org"));
             TestDns dns = zone("other.example.org")) {
            Courier.Result r = only(out.deliver(courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.detail()).contains("other.example.org is not listed in the MTA-STS policy of example.org")
                    .doesNotContain("not trusted");
        }
    }

    @Test
    void aDomainWithAnUnderscoreIsNoMailDomainAndNeverReachesTheMtaStsLookup() {
        // "_" is legal in DNS but not in a host name (RFC 5321 4.1.2, RFC 8461 3.1): UTS #46 with STD3 rules
        // rejects it when the address is made, so such a recipient is refused at RCPT (501 5.1.3) and never queued.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> out.queue("sender@sender.test", "alice@mail_box.example.org"))
                .isInstanceOf(org.depesche.mail.InvalidDomainException.class);
        assertThat(policyHost.requests()).isZero();
    }
}
