package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.outbound.OutboundFixture.MX;
import static org.depesche.outbound.OutboundFixture.spkiSha256;
import static org.depesche.outbound.OutboundFixture.tlsaName;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.depesche.config.Config;
import org.depesche.dns.TestDns;
import org.depesche.queue.Courier;
import org.depesche.queue.QueuedMessage;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Static policy levels verify (PKIX, pins), CNAME'd MX hosts, MX order and messages to several domains. */
class StaticPolicyAndRoutingTest {
    @TempDir
    Path dir;

    @Test
    void levelVerifyDeliversWhenTheChainIsTrustedAndNamesTheMxHost() throws Exception {
        TestPki.Identity ca = TestPki.ca("Public CA");
        try (OutboundFixture out = new OutboundFixture(dir, TestPki.trustStore(ca.certificate()));
             DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, MX));
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), mx.address().getPort(), "verify");
            Courier.Result r = out.deliver(courier, out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().authentication()).isEqualTo("pkix");
        }
    }

    @Test
    void levelVerifyDefersAServerWhoseCertificateNamesAnotherHost() throws Exception {
        TestPki.Identity ca = TestPki.ca("Public CA");
        try (OutboundFixture out = new OutboundFixture(dir, TestPki.trustStore(ca.certificate()));
             DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, "other.example.net"));
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), mx.address().getPort(), "dane",
                    new Config.Policy("example.org", "verify", null));
            Courier.Result r = out.deliver(courier, out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(mx.queued()).isEmpty();
        }
    }

    @Test
    void pinsInThePolicyTableAuthenticateASelfSignedServer() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.certificate().getEncoded()));
        try (OutboundFixture out = new OutboundFixture(dir);
             DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), mx.address().getPort(), "dane",
                    new Config.Policy("example.org", "verify", List.of(pin)));
            Courier.Result r = out.deliver(courier, out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().authentication()).isEqualTo("pinned");
        }
    }

    /** example.org's MX is a CNAME to server.hosting.org, which has DANE-EE TLSA records for {@code id}. */
    private static TestDns cnamedToHostingOrg(int port, TestPki.Identity id) {
        return TestDns.builder().signedZone("example.org").mx(10, MX).cname(MX, "server.hosting.org")
                .signedZone("hosting.org").a("server.hosting.org", "127.0.0.1")
                .tlsa(tlsaName(port, "server.hosting.org"), 3, 1, 1, spkiSha256(id)).start();
    }

    @Test
    void anMxHostThatIsACnameUsesTheTlsaRecordsOfTheExpandedName() throws Exception {
        TestPki.Identity id = TestPki.selfSigned("server.hosting.org");
        try (OutboundFixture out = new OutboundFixture(dir);
             DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id)) {
            int port = mx.address().getPort();
            try (TestDns dns = cnamedToHostingOrg(port, id)) {
                Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()).getFirst();
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
                assertThat(r.hop().authentication()).isEqualTo("dane-ee");
                assertThat(r.hop().mx()).isEqualTo(MX);
            }
        }
    }

    @Test
    void theSniOfACnamedMxHostWithTlsaAtTheExpandedNameIsTheExpandedName() throws Exception {
        // RFC 7672 8.1: SNI carries the TLSA base domain, so a server with several chains picks the one its TLSA names.
        TestPki.Identity id = TestPki.selfSigned("server.hosting.org");
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))) {
            int port = server.address().getPort();
            try (TestDns dns = cnamedToHostingOrg(port, id)) {
                Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()).getFirst();
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
                assertThat(server.serverNames()).containsOnly("server.hosting.org");
            }
        }
    }

    @Test
    void daneTaAcceptsACertificateThatNamesTheRecipientDomainBehindASecureMx() throws Exception {
        // RFC 7672 3.2.2: with a secure MX RRset the next-hop domain is a reference identifier too.
        TestPki.Identity ca = TestPki.ca("Example Org CA");
        try (OutboundFixture out = new OutboundFixture(dir);
             DepescheMx mx = DepescheMx.start(dir.resolve("mx"), TestPki.leaf(ca, "example.org"))) {
            int port = mx.address().getPort();
            try (TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                    .tlsa(tlsaName(port, MX), 2, 1, 1, org.depesche.dane.TlsaRecord.of(2, 1, 1, ca.certificate()).data())
                    .start()) {
                Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()).getFirst();
                assertThat(r.outcome()).as("%s", r.detail()).isEqualTo(Courier.Outcome.DELIVERED);
                assertThat(r.hop().authentication()).isEqualTo("dane-ta");
            }
        }
    }

    @Test
    void anMxListNamingThisServerFailsAsALoopWithoutConnectingToItselfOrWorseMxHosts() throws Exception {
        // RFC 5321 5.1: the client drops itself and every MX of equal or higher preference value.
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, "mx.sender.test").mx(20, MX)
                     .a(MX, "127.0.0.1").signedZone("sender.test").a("mx.sender.test", "127.0.0.1").start()) {
            RemoteCourier courier = out.courierNamed(dns.validatingResolver(), server.address().getPort(),
                    Set.of("MX.Sender.Test"));
            Courier.Result r = out.deliver(courier, out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.4.6").contains("loops back to myself");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void anMxOfThisServerWithBetterMxHostsBeforeItLeavesOnlyThose() {
        try (TestDns dns = TestDns.builder().signedZone("example.org").mx(5, "a.example.org").mx(10, "self.test")
                .mx(10, "b.example.org").mx(20, "c.example.org").start()) {
            Route route = new MxLookup(dns.validatingResolver(), new Random(1), Set.of("self.test")).route("example.org");
            assertThat(((Route.Hosts) route).hosts()).extracting(MxHost::name).containsExactly("a.example.org");
        }
    }

    @Test
    void equalPreferencesAreTriedInRandomOrderLowerPreferencesFirst() {
        try (TestDns dns = TestDns.builder().signedZone("example.org")
                .mx(20, "backup.example.org").mx(10, "a.example.org").mx(10, "b.example.org").mx(10, "c.example.org")
                .start()) {
            Set<List<String>> orders = new HashSet<>();
            for (int seed = 0; seed < 20; seed++) {
                Route route = new MxLookup(dns.validatingResolver(), new Random(seed)).route("example.org");
                List<String> names = ((Route.Hosts) route).hosts().stream().map(MxHost::name).toList();
                assertThat(names).hasSize(4).endsWith("backup.example.org")
                        .contains("a.example.org", "b.example.org", "c.example.org");
                assertThat(((Route.Hosts) route).hosts()).allMatch(MxHost::secure);
                orders.add(names);
            }
            assertThat(orders).hasSizeGreaterThan(1);
        }
    }

    @Test
    void everyAddressOfAnMxIsTriedIpv6FirstUntilOneAnswers() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (OutboundFixture out = new OutboundFixture(dir);
             DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id)) {
            int port = mx.address().getPort();
            // Nothing listens on [::1] and 127.0.0.2 at this port; the server is at 127.0.0.1.
            try (TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).aaaa(MX, "::1")
                    .a(MX, "127.0.0.2").a(MX, "127.0.0.1").tlsa(tlsaName(port, MX), 3, 1, 1, spkiSha256(id)).start()) {
                Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), port), out.toAlice()).getFirst();
                assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
                assertThat(r.hop().ip()).isEqualTo("127.0.0.1");
                assertThat(r.hop().authentication()).isEqualTo("dane-ee");
            }
        }
    }

    @Test
    void aDomainWithScoresOfAddressesGetsOnlyABoundedNumberOfConnectionsPerRound() throws Exception {
        // THREATS T14: the recipient's DNS must not turn one message into a connection flood (Postfix: smtp_mx_address_limit).
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        TestDns.Builder zone = TestDns.builder().unsignedZone("example.org").mx(10, MX).mx(20, "mx2.example.org");
        for (int i = 1; i <= 40; i++) zone.a(MX, "127.0.1." + i).a("mx2.example.org", "127.0.2." + i);
        try (OutboundFixture out = new OutboundFixture(dir); TestDns dns = zone.start()) {
            Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), closedPort), out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            // Ten refused connections and the limit: the words name the last three of those eleven reasons.
            assertThat(r.detail()).startsWith((DeliveryPlan.MAX_ADDRESSES + 1 - 3) + " earlier not shown; could not connect to ")
                    .endsWith("no more than " + DeliveryPlan.MAX_ADDRESSES + " addresses are tried per round");
        }
    }

    @Test
    void anAddressLiteralFailsPermanentlyWithoutAnyLookup() throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             TestDns dns = TestDns.builder().signedZone("example.org").start()) {
            QueuedMessage m = out.queue("sender@sender.test", "bob@[127.0.0.1]");
            dns.resetQueries();
            Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), 25), m).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.1.2 mail to an address literal ([127.0.0.1])");
            assertThat(dns.queryCount()).isZero();
        }
    }

    /** A server that announces STARTTLS but has no key, so every handshake fails. */
    private static ScriptedSmtpServer brokenTlsServer() throws Exception {
        javax.net.ssl.SSLContext keyless = javax.net.ssl.SSLContext.getInstance("TLS");
        keyless.init(null, null, null);
        return new ScriptedSmtpServer(keyless);
    }

    @Test
    void aFailedHandshakeUnderMayGoesOnInPlaintextOnANewConnection() throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = brokenTlsServer();
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), server.address().getPort(), "may"),
                    out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.hop().tlsProtocol()).isEmpty();
            assertThat(server.commands()).filteredOn(c -> c.startsWith("STARTTLS")).hasSize(1);
            assertThat(server.messages()).hasSize(1);
        }
    }

    @Test
    void aFailedHandshakeUnderEncryptDefersWithoutPlaintext() throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = brokenTlsServer();
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), server.address().getPort(), "encrypt"),
                    out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.hop().tlsFailure()).isEqualTo("handshake-failed");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void daneOnlyDefersAnUnsignedDomainWithoutConnecting() throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            Courier.Result r = out.deliver(out.courier(dns.validatingResolver(), server.address().getPort(), "dane-only"),
                    out.toAlice()).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("policy dane-only for example.org").contains("not DNSSEC-signed");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void aMessageToTwoDomainsIsTrackedPerRecipient() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (OutboundFixture out = new OutboundFixture(dir);
             DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id)) {
            int port = mx.address().getPort();
            try (TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                    .tlsa(tlsaName(port, MX), 3, 1, 1, spkiSha256(id))
                    .signedZone("nomail.org").mx(0, ".").start()) {
                QueuedMessage m = out.queue("sender@sender.test", "bob@nomail.org", "alice@example.org");
                List<Courier.Result> r = out.deliver(out.courier(dns.validatingResolver(), port), m);
                assertThat(r).extracting(Courier.Result::outcome)
                        .containsExactly(Courier.Outcome.FAILED, Courier.Outcome.DELIVERED);
                assertThat(r.getFirst().detail()).contains("null MX");
                assertThat(r.get(1).hop().authentication()).isEqualTo("dane-ee");
            }
        }
    }
}
