package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.outbound.OutboundFixture.MX;
import static org.depesche.outbound.OutboundFixture.spkiSha256;
import static org.depesche.outbound.OutboundFixture.tlsaName;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import org.depesche.cli.Main;
import org.depesche.config.Config;
import org.depesche.dane.TlsaRecord;
import org.depesche.dns.TestDns;
import org.depesche.queue.Courier;
import org.depesche.queue.QueuedMessage;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.MitmProxy;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * Outbound delivery against real DNS on the wire (a signed test hierarchy)
 * and real TLS servers on loopback: the acceptance scenarios of issue 3 and
 * THREATS T1-T4, T10. The receiving MX is Depesche's own SMTP server.
 */
class RemoteCourierTest {
    @TempDir
    Path dir;

    private OutboundFixture out;
    private final TestPki.Identity id;

    RemoteCourierTest() throws Exception {
        id = TestPki.selfSigned(MX);
    }

    @BeforeEach
    void setUp() throws Exception {
        out = new OutboundFixture(dir);
    }

    @AfterEach
    void tearDown() {
        out.close();
    }

    private DepescheMx mx(TestPki.Identity identity) throws Exception {
        return DepescheMx.start(dir.resolve("mx"), identity);
    }

    /** example.org signed, MX mx.example.org at 127.0.0.1, TLSA at the given port for the given data. */
    private static TestDns signedWithTlsa(int port, int usage, byte[] data) {
        return TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                .tlsa(tlsaName(port, MX), usage, 1, 1, data).start();
    }

    private static Courier.Result only(List<Courier.Result> results) {
        assertThat(results).hasSize(1);
        return results.getFirst();
    }

    @Test
    void aDaneEeMatchIsDeliveredAndTheAttemptSaysDaneEe() throws Exception {
        try (DepescheMx mx = mx(id); TestDns dns = signedWithTlsa(mx.address().getPort(), 3, spkiSha256(id))) {
            Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().authentication()).isEqualTo("dane-ee");
            assertThat(r.hop().mx()).isEqualTo(MX);
            assertThat(r.hop().ip()).isEqualTo("127.0.0.1");
            assertThat(r.hop().tlsProtocol()).startsWith("TLSv1.");
            assertThat(r.hop().tlsCipher()).isNotEmpty();
            assertThat(r.hop().reply()).startsWith("250 2.0.0");
            assertThat(mx.queued()).hasSize(1);
            assertThat(mx.content(mx.queued().getFirst())).contains("Hello over DANE.");
            assertThat(out.memory.get("example.org")).get().extracting(e -> e.protection()).isEqualTo(Strength.DANE_VERIFIED);
        }
    }

    @Test
    void aDaneTaMatchIsDeliveredAndTheAttemptSaysDaneTa() throws Exception {
        TestPki.Identity ca = TestPki.ca("Example Org CA");
        TestPki.Identity leaf = TestPki.leaf(ca, MX);
        try (DepescheMx mx = mx(leaf);
             TestDns dns = signedWithTlsa(mx.address().getPort(), 2, TlsaRecord.of(2, 1, 1, ca.certificate()).data())) {
            Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().authentication()).isEqualTo("dane-ta");
            assertThat(mx.queued()).hasSize(1);
        }
    }

    @Test
    void aTlsaMismatchDefersAndTheServerNeverSeesMailFrom() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = signedWithTlsa(server.address().getPort(), 3, spkiSha256(TestPki.selfSigned(MX)))) {
            Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), server.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("TLSA records for mx.example.org do not match the certificate it presented");
            assertThat(r.hop().reply()).startsWith("451 4.7.5");
            assertThat(server.tlsUsed()).isTrue();
            assertThat(server.received("MAIL")).isFalse();
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void aTlsaRecordWithABrokenSignatureDefersWithoutConnecting() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))) {
            int port = server.address().getPort();
            try (TestDns dns = signedWithTlsa(port, 3, spkiSha256(id))) {
                dns.attack(tlsaName(port, MX), Type.TLSA, TestDns.Attack.CORRUPT_SIGNATURE);
                Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()));
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
                assertThat(r.detail()).contains("TLSA lookup for " + tlsaName(port, MX)).contains("bogus")
                        .contains("not falling back");
                assertThat(server.commands()).isEmpty();
            }
        }
    }

    @Test
    void anUnsignedZoneGetsOpportunisticTlsWithoutAuthentication() throws Exception {
        try (DepescheMx mx = mx(id);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), mx.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().tlsProtocol()).startsWith("TLSv1.");
            assertThat(r.hop().authentication()).isEqualTo("none");
            assertThat(mx.queued()).hasSize(1);
        }
    }

    @Test
    void aForgedMxAnswerInASignedZoneDefersAndTheForgedHostGetsNothing() throws Exception {
        try (ScriptedSmtpServer attacker = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned("evil.example.org")));
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.2")
                     .a("evil.example.org", "127.0.0.1").start()) {
            dns.forgeSigned("example.org", Type.MX, "10 evil.example.org.");
            Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), attacker.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("MX records of example.org failed DNSSEC validation");
            assertThat(attacker.commands()).isEmpty();
        }
    }

    @Test
    void aTlsaRrsetDroppedByTheAttackerDefers() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))) {
            int port = server.address().getPort();
            try (TestDns dns = signedWithTlsa(port, 3, spkiSha256(id))) {
                dns.dropTlsa(tlsaName(port, MX));
                Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()));
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
                assertThat(r.detail()).contains("TLSA lookup for " + tlsaName(port, MX));
                assertThat(server.received("MAIL")).isFalse();
            }
        }
    }

    @Test
    void strippingStartTlsOnADaneDomainDefersBeforeAnyMessageByte() throws Exception {
        try (DepescheMx mx = mx(id); MitmProxy proxy = MitmProxy.stripStartTls(mx.address())) {
            int port = proxy.address().getPort();
            try (TestDns dns = signedWithTlsa(port, 3, spkiSha256(id))) {
                Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()));
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
                assertThat(r.detail()).contains("mx.example.org does not offer STARTTLS");
                assertThat(r.hop().tlsFailure()).isEqualTo("starttls-not-supported");
                assertThat(proxy.clientSent()).doesNotContain("MAIL FROM");
                assertThat(mx.queued()).isEmpty();
            }
        }
    }

    @Test
    void strippingStartTlsOnAMayDomainDeliversInPlaintextAndRecordsIt() throws Exception {
        try (DepescheMx mx = mx(id); MitmProxy proxy = MitmProxy.stripStartTls(mx.address())) {
            int port = proxy.address().getPort();
            try (TestDns dns = signedWithTlsa(port, 3, spkiSha256(id))) {
                RemoteCourier may = out.courier(dns.validatingResolver(), port, "dane",
                        new Config.Policy("example.org", "may", null));
                Courier.Result r = only(out.deliver(may, out.toAlice()));
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
                assertThat(r.hop().tlsProtocol()).isEmpty();
                assertThat(r.hop().authentication()).isEqualTo("none");
                assertThat(r.hop().toString()).contains("no TLS");
                assertThat(proxy.clientSent()).contains("MAIL FROM");
                assertThat(mx.queued()).hasSize(1);
            }
        }
    }

    @Test
    void aSwappedCertificateDefersAndTheAttackerReadsNoMessage() throws Exception {
        try (DepescheMx mx = mx(id);
             MitmProxy proxy = MitmProxy.terminateTls(mx.address(), TestPki.serverContext(TestPki.selfSigned(MX)))) {
            int port = proxy.address().getPort();
            try (TestDns dns = signedWithTlsa(port, 3, spkiSha256(id))) {
                Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()));
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
                assertThat(r.detail()).contains("do not match the certificate it presented");
                assertThat(r.hop().tlsFailure()).isEqualTo("tlsa-invalid");
                assertThat(r.hop().toString()).contains("TLS failure tlsa-invalid");
                assertThat(proxy.clientSent()).doesNotContain("MAIL FROM").doesNotContain("Hello over DANE");
                assertThat(mx.queued()).isEmpty();
            }
        }
    }

    @Test
    void aNullMxFailsAtOnceWithoutConnecting() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(0, ".").a("example.org", "127.0.0.1").start()) {
            Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), server.address().getPort()), out.toAlice()));
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.1.10").contains("null MX");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void aTemporaryFailureIsDeferredAndTheNextAttemptDelivers() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))
                .reply("RCPT", "451 4.3.0 try again later");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), server.address().getPort());
            QueuedMessage m = out.toAlice();
            Courier.Result first = only(out.deliver(courier, m));
            assertThat(first.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(first.hop().reply()).isEqualTo("451 4.3.0 try again later");
            server.reply("RCPT", "250 2.1.5 Ok");
            Courier.Result second = only(out.deliver(courier, m));
            assertThat(second.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void aPermanentRefusalFailsTheRecipientWithTheServersReply() throws Exception {
        try (DepescheMx mx = mx(id); TestDns dns = signedWithTlsa(mx.address().getPort(), 3, spkiSha256(id))) {
            QueuedMessage m = out.queue("sender@sender.test", "nobody@example.org", "alice@example.org");
            List<Courier.Result> r = out.deliver(out.courier(dns.validatingResolver(), mx.address().getPort()), m);
            assertThat(r.get(0).outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.get(0).hop().reply()).startsWith("550 5.1.1");
            assertThat(r.get(1).outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(mx.queued()).hasSize(1);
        }
    }

    @Test
    void allRecipientsOfADomainTravelInOneConnection() throws Exception {
        try (DepescheMx mx = mx(id); TestDns dns = signedWithTlsa(mx.address().getPort(), 3, spkiSha256(id))) {
            QueuedMessage m = out.queue("sender@sender.test", "alice@example.org", "bob@example.org", "carol@example.org");
            List<Courier.Result> r = out.deliver(out.courier(dns.validatingResolver(), mx.address().getPort()), m);
            assertThat(r).extracting(Courier.Result::outcome).containsOnly(Courier.Outcome.DELIVERED);
            assertThat(mx.queued()).singleElement().satisfies(q -> assertThat(q.envelope().recipients()).hasSize(3));
        }
    }

    @Test
    void aDomainWithoutMxIsItsOwnImplicitMxAndItsTlsaIsUsed() throws Exception {
        try (DepescheMx mx = mx(id)) {
            int port = mx.address().getPort();
            try (TestDns dns = TestDns.builder().signedZone("example.org").a("example.org", "127.0.0.1")
                    .tlsa(tlsaName(port, "example.org"), 3, 1, 1, spkiSha256(id)).start()) {
                Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()));
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
                assertThat(r.hop().mx()).isEqualTo("example.org");
                assertThat(r.hop().authentication()).isEqualTo("dane-ee");
            }
        }
    }

    @Test
    void anUnreachableFirstMxIsSkippedForTheNextPreference() throws Exception {
        try (DepescheMx mx = mx(id)) {
            int port = mx.address().getPort();
            try (TestDns dns = TestDns.builder().signedZone("example.org").mx(10, "mx1.example.org").mx(20, MX)
                    .a("mx1.example.org", "127.0.0.3").a(MX, "127.0.0.1")
                    .tlsa(tlsaName(port, "mx1.example.org"), 3, 1, 1, spkiSha256(id))
                    .tlsa(tlsaName(port, MX), 3, 1, 1, spkiSha256(id)).start()) {
                Courier.Result r = only(out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()));
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
                assertThat(r.hop().mx()).isEqualTo(MX);
                assertThat(r.detail()).contains("tried before: could not connect to mx1.example.org [127.0.0.3]");
            }
        }
    }

    @Test
    void aDomainOnceReachedWithTlsIsRefusedWithoutItUntilPolicyResetIsRun() throws Exception {
        try (DepescheMx mx = mx(id);
             MitmProxy honest = MitmProxy.relay(mx.address());
             MitmProxy stripping = MitmProxy.stripStartTls(mx.address());
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result first = only(out.deliver(out.courier(dns.validatingResolver(), honest.address().getPort()), out.toAlice()));
            assertThat(first.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(first.hop().tlsProtocol()).startsWith("TLSv1.");
            assertThat(out.memory.get("example.org")).get().extracting(e -> e.protection()).isEqualTo(Strength.ENCRYPTED);

            RemoteCourier attacked = out.courier(dns.validatingResolver(), stripping.address().getPort());
            QueuedMessage second = out.toAlice();
            Courier.Result refused = only(out.deliver(attacked, second));
            assertThat(refused.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(refused.detail()).startsWith("refusing delivery to example.org without TLS")
                    .contains("it was reached with unauthenticated TLS on")
                    .contains("run `depesche policy reset example.org` if this is intended");
            assertThat(stripping.clientSent()).doesNotContain("MAIL FROM");
            assertThat(mx.queued()).hasSize(1);

            Files.writeString(dir.resolve("depesche.toml"), "data_dir = \"data\"\n");
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            int code = new Main(new ByteArrayInputStream(new byte[0]), said, new ByteArrayOutputStream(), Clock.systemUTC())
                    .run("policy", "reset", "--config", dir.resolve("depesche.toml").toString(), "example.org");
            assertThat(code).isZero();
            assertThat(said.toString(StandardCharsets.UTF_8)).contains("Forgot that example.org was reached with unauthenticated TLS");
            Courier.Result afterReset = only(out.deliver(attacked, second));
            assertThat(afterReset.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(afterReset.hop().tlsProtocol()).isEmpty();
            assertThat(mx.queued()).hasSize(2);
        }
    }
}
