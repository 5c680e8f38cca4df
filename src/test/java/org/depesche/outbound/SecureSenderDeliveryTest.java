package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.outbound.OutboundFixture.MX;
import static org.depesche.outbound.OutboundFixture.spkiSha256;
import static org.depesche.outbound.OutboundFixture.tlsaName;

import java.nio.file.Path;
import java.util.List;

import org.depesche.dns.TestDns;
import org.depesche.queue.Courier;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.TransportDemand;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.MitmProxy;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a message demands of its transport, enforced on the sending side
 * (issue 4; THREATS T1, T2; RFC 8689 4.2.1): a secure sender's mail goes
 * only to an authenticated server or nowhere, REQUIRETLS also needs the
 * next hop to offer it, and TLS-Required: No lifts DANE. Real DNS on the
 * wire, real TLS on loopback.
 */
class SecureSenderDeliveryTest {
    static final String SENDER = "sender@sender.test";
    static final TransportDemand SECURE = new TransportDemand(false, false, Strength.VERIFIED,
            "the sender sender@sender.test is a secure address");
    static final TransportDemand REQUIRETLS = new TransportDemand(true, false, Strength.PLAINTEXT, "");

    @TempDir
    Path dir;

    private OutboundFixture out;
    private TestPki.Identity ca;
    private final TestPki.Identity id;

    SecureSenderDeliveryTest() throws Exception {
        id = TestPki.selfSigned(MX);
    }

    @BeforeEach
    void setUp() throws Exception {
        ca = TestPki.ca("Test Web PKI");
        out = new OutboundFixture(dir, TestPki.trustStore(ca.certificate()));
    }

    @AfterEach
    void tearDown() {
        out.close();
    }

    private static TestDns signed() {
        return TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start();
    }

    private static TestDns signedWithTlsa(int port, TestPki.Identity identity) {
        return TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                .tlsa(tlsaName(port, MX), 3, 1, 1, spkiSha256(identity)).start();
    }

    private Courier.Result send(TestDns dns, int port, TransportDemand demand) throws Exception {
        QueuedMessage m = out.queue(demand, SENDER, "alice@example.org");
        List<Courier.Result> results = out.deliver(out.courier(dns.validatingResolver(), port), m);
        assertThat(results).hasSize(1);
        return results.getFirst();
    }

    private static String mailCommand(ScriptedSmtpServer server) {
        return server.commands().stream().filter(c -> c.startsWith("MAIL")).findFirst().orElseThrow();
    }

    @Test
    void aSecureSendersMessageToAnMxWithoutStartTlsFailsAtOnceAndOnlyEhloAndQuitWereSaid() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null); TestDns dns = signed()) {
            Courier.Result r = send(dns, server.address().getPort(), SECURE);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.7.10 Nothing was sent to example.org")
                    .contains("mx.example.org offers no encryption (STARTTLS)")
                    .contains("because the sender sender@sender.test is a secure address");
            assertThat(server.commands()).containsExactly("EHLO sender.test", "QUIT");
        }
    }

    @Test
    void aSecureSendersMessageToAnUnsignedDomainWithoutMtaStsIsNotSentAnywhere() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.leaf(ca, MX)));
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result r = send(dns, server.address().getPort(), SECURE);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).contains("the MX records of example.org are not DNSSEC-signed and example.org"
                    + " publishes no MTA-STS policy, so mx.example.org cannot be authenticated");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void aForgedMxNamingAHostWithAValidCertificateGetsNoneOfASecureSendersMailDespiteAStaticVerifyEntry() throws Exception {
        // THREATS T3: the zone is unsigned, so the attacker answers the MX query with a host of his own, which
        // holds a certificate valid under the public CAs for its own name. PKIX on that name proves nothing.
        String forgedHost = "mx.attacker.test";
        try (ScriptedSmtpServer attacker = new ScriptedSmtpServer(TestPki.serverContext(TestPki.leaf(ca, forgedHost)));
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .unsignedZone("attacker.test").a(forgedHost, "127.0.0.1").start()) {
            dns.forge("example.org", org.xbill.DNS.Type.MX, "10 " + forgedHost + ".");
            QueuedMessage m = out.queue(SECURE, SENDER, "alice@example.org");
            Courier courier = out.courier(dns.validatingResolver(), attacker.address().getPort(), "dane",
                    new org.depesche.config.Config.Policy("example.org", "verify", List.of()));
            Courier.Result r = out.deliver(courier, m).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.7.10 Nothing was sent to example.org")
                    .contains(forgedHost + " cannot be authenticated")
                    .contains("verify without pins cannot prove the MX name itself");
            assertThat(attacker.commands()).isEmpty();
        }
    }

    @Test
    void aStrippedStartTlsMakesASecureSendersMessageFailWithoutAnyOfItLeaving() throws Exception {
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id); MitmProxy mitm = MitmProxy.stripStartTls(mx.address());
             TestDns dns = signedWithTlsa(mitm.address().getPort(), id)) {
            Courier.Result r = send(dns, mitm.address().getPort(), SECURE);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).contains("mx.example.org offers no encryption (STARTTLS)");
            assertThat(mitm.clientSent()).doesNotContain("MAIL FROM").doesNotContain("Hello over DANE");
            assertThat(mx.queued()).isEmpty();
        }
    }

    @Test
    void aSwappedCertificateMakesASecureSendersMessageFailWithoutAnyOfItLeaving() throws Exception {
        TestPki.Identity attacker = TestPki.selfSigned(MX);
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id);
             MitmProxy mitm = MitmProxy.terminateTls(mx.address(), TestPki.serverContext(attacker));
             TestDns dns = signedWithTlsa(mitm.address().getPort(), id)) {
            Courier.Result r = send(dns, mitm.address().getPort(), SECURE);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.7.10 ").contains("mx.example.org: its certificate could not be verified: ")
                    .contains("do not match the certificate it presented");
            assertThat(r.hop().tlsFailure()).isEqualTo("tlsa-invalid");
            assertThat(mitm.clientSent()).doesNotContain("MAIL FROM").doesNotContain("Hello over DANE");
            assertThat(mx.queued()).isEmpty();
        }
    }

    @Test
    void aSecureSendersMessageGoesToADnssecSecureMxWithAPkixValidCertificateWithRequireTlsWhereOffered() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.leaf(ca, MX)))
                .afterTls("REQUIRETLS"); TestDns dns = signed()) {
            Courier.Result r = send(dns, server.address().getPort(), SECURE);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().authentication()).isEqualTo("pkix");
            assertThat(mailCommand(server)).startsWith("MAIL FROM:<sender@sender.test>").endsWith(" REQUIRETLS");
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void aSecureSendersMessageDoesNotNeedTheNextHopToOfferRequireTls() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.leaf(ca, MX)));
             TestDns dns = signed()) {
            Courier.Result r = send(dns, server.address().getPort(), SECURE);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(mailCommand(server)).doesNotContain("REQUIRETLS");
        }
    }

    @Test
    void aSecureSendersMessageWaitsWhenAnotherMxFailedForAPassingReason() throws Exception {
        // mx2 (127.0.0.2) has nothing listening: a refused connection passes, so the message is retried.
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .mx(20, "mx2.example.org").a("mx2.example.org", "127.0.0.2").start()) {
            Courier.Result r = send(dns, server.address().getPort(), SECURE);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("mx.example.org offers no encryption").contains("could not connect to mx2.example.org");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void anEncryptFloorRefusesAnMxWithoutStartTls() throws Exception {
        TransportDemand encrypt = TransportDemand.NONE.atLeast(Strength.ENCRYPTED,
                "the sender sender@sender.test is a secure address (encrypt)");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result r = send(dns, server.address().getPort(), encrypt);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.7.10 ").contains("may travel only over encrypted TLS");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void anEncryptFloorIsMetByUnauthenticatedTls() throws Exception {
        TransportDemand encrypt = TransportDemand.NONE.atLeast(Strength.ENCRYPTED, "encrypt");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result r = send(dns, server.address().getPort(), encrypt);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().tlsProtocol()).startsWith("TLSv1.");
            assertThat(mailCommand(server)).doesNotContain("REQUIRETLS");
        }
    }

    /** The encrypt floor asks for TLS only: the domain's own DANE failing is no reason to bounce, it waits as usual. */
    @Test
    void anEncryptFloorMessageWaitsLikeAnyOtherWhenTheDomainsDaneRecordsDoNotMatch() throws Exception {
        TransportDemand encrypt = TransportDemand.NONE.atLeast(Strength.ENCRYPTED, "encrypt");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), TestPki.selfSigned(MX))) {
            Courier.Result r = send(dns, server.address().getPort(), encrypt);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("do not match the certificate it presented").doesNotContain("Nothing was sent");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void aRequireTlsMessageToAnAuthenticatedHopWithoutRequireTlsFailsWith5730BeforeMailFrom() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), id)) {
            Courier.Result r = send(dns, server.address().getPort(), REQUIRETLS);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.7.30 Nothing was sent to example.org")
                    .contains("mx.example.org does not offer REQUIRETLS (RFC 8689), which the sender asked for")
                    .contains("because the sender asked for REQUIRETLS");
            assertThat(r.hop().reply()).startsWith("550 5.7.30");
            assertThat(r.hop().authentication()).isEqualTo("dane-ee");
            assertThat(server.tlsUsed()).isTrue();
            assertThat(server.received("MAIL")).isFalse();
            assertThat(server.commands().getLast()).isEqualTo("QUIT");
        }
    }

    @Test
    void aRequireTlsMessageCarriesTheParameterToAHopThatOffersIt() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id)).afterTls("REQUIRETLS");
             TestDns dns = signedWithTlsa(server.address().getPort(), id)) {
            Courier.Result r = send(dns, server.address().getPort(), REQUIRETLS);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(mailCommand(server)).endsWith(" REQUIRETLS");
        }
    }

    /** RFC 8689 5: a bounce (null reverse path) that came with REQUIRETLS is not discarded for a hop without it. */
    @Test
    void aRequireTlsBounceWithTheNullSenderGoesToAnAuthenticatedHopThatDoesNotOfferRequireTls() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), id)) {
            QueuedMessage m = out.queue(REQUIRETLS, null, "alice@example.org");
            Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), server.address().getPort()), m).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().authentication()).isEqualTo("dane-ee");
            assertThat(mailCommand(server)).startsWith("MAIL FROM:<>").doesNotContain("REQUIRETLS");
        }
    }

    /** The null reverse path keeps the rest of the demand: an unauthenticated hop gets nothing (RFC 8689 5). */
    @Test
    void aRequireTlsBounceWithTheNullSenderStillNeedsAnAuthenticatedHop() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id)).afterTls("REQUIRETLS");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            QueuedMessage m = out.queue(REQUIRETLS, null, "alice@example.org");
            Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), server.address().getPort()), m).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.7.10 ");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    /** A TLS-Required: No message to a server whose certificate the signed TLSA records do not match. */
    private Courier.Result tlsRequiredNoToADaneMismatch(ScriptedSmtpServer server, boolean honor) throws Exception {
        try (TestDns dns = signedWithTlsa(server.address().getPort(), TestPki.selfSigned(MX))) {
            QueuedMessage m = out.queue(TransportDemand.NONE.withTlsRequiredNo(true), SENDER, "alice@example.org");
            return out.deliver(out.courierHonoringTlsRequiredNo(dns.validatingResolver(), server.address().getPort(), honor), m)
                    .getFirst();
        }
    }

    @Test
    void tlsRequiredNoDeliversDespiteADaneMismatchOverUnauthenticatedTls() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))) {
            Courier.Result r = tlsRequiredNoToADaneMismatch(server, true);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().tlsProtocol()).startsWith("TLSv1.");
            assertThat(r.hop().authentication()).isEqualTo("none");
        }
    }

    @Test
    void tlsRequiredNoIsIgnoredWhenTheOperatorSaysSoAndTheDaneMismatchDefers() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))) {
            Courier.Result r = tlsRequiredNoToADaneMismatch(server, false);
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("do not match the certificate it presented");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"may", "verify"})
    void aSecureSendersMessageWaitsWhenTheMxAddressLookupHalfFailsRatherThanBouncingOnPkix(String level) throws Exception {
        // The MX has DANE-EE with a self-signed certificate; an attacker SERVFAILs its AAAA lookup, so the
        // address RRsets are not all secure and TLSA would not be used: that is a DNS failure, not a verdict.
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id);
             TestDns dns = signedWithTlsa(mx.address().getPort(), id)) {
            dns.attack(MX, org.xbill.DNS.Type.AAAA, TestDns.Attack.SERVFAIL);
            QueuedMessage m = out.queue(SECURE, SENDER, "alice@example.org");
            List<Courier.Result> results = out.deliver(out.courier(dns.validatingResolver(), mx.address().getPort(), level), m);
            Courier.Result r = results.getFirst();
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("the address lookup for mx.example.org failed");
            assertThat(mx.queued()).isEmpty();
        }
    }
}
