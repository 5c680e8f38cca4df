package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.depesche.config.Config;
import org.depesche.dns.TestDns;
import org.depesche.outbound.ProbeReport.Level;
import org.depesche.queue.Courier;
import org.depesche.smtp.client.ClientTimeouts;
import org.depesche.smtp.client.ServerProbe;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 9: probe and delivery once walked copies of the same plan, and the
 * copies looked [[delivery.policy]] up under different spellings of an IDN
 * domain. Both now execute one {@link DeliveryPlanner}: here a probe and a
 * delivery from the same planner, for the U-label and the A-label spelling
 * of bücher.example, a dane-only entry in either spelling, the zone
 * unsigned and a plaintext server on loopback found by the signed test DNS.
 */
class ProbeAgreesWithDeliveryTest {
    private static final String ZONE = "xn--bcher-kva.example";
    private static final String MX = "mx." + ZONE;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "entry {0}, mail to {1}")
    @CsvSource({
            "bücher.example, bücher.example",
            "bücher.example, xn--bcher-kva.example",
            "xn--bcher-kva.example, bücher.example",
            "xn--bcher-kva.example, BÜCHER.example",
            "Bücher.example, xn--bcher-kva.example"})
    void anIdnDomainGetsItsPolicyEntryInTheProbeAsInDeliveryWhicheverTheSpelling(String entry, String spelled)
            throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(null); // no STARTTLS
             TestDns dns = TestDns.builder().unsignedZone(ZONE).mx(10, MX).a(MX, "127.0.0.1").start()) {
            DeliveryPlanner planner = out.planner(dns.validatingResolver(), server.address().getPort(), "may",
                    new Config.Policy(entry, "dane-only", List.of()));

            ProbeReport report = new Probe(planner, d -> false, null, null, Clock.systemUTC()).probe("anna@" + spelled);
            Courier.Result delivered = out.deliver(out.courier(planner), out.queue("sender@sender.test", "anna@" + spelled))
                    .getFirst();

            assertThat(report.domain()).isEqualTo(ZONE);
            assertThat(report.policy().level()).isEqualTo("dane-only");
            assertThat(report.policy().fromTable()).isTrue();
            assertThat(report.level()).isEqualTo(Level.UNDELIVERABLE);
            ProbeReport.Mx mx = report.mx().getFirst();
            assertThat(mx.host()).isEqualTo(MX);
            assertThat(mx.requirement()).isEqualTo("skip");
            assertThat(delivered.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(delivered.detail()).contains("dane-only").isEqualTo(mx.reason()); // the same words for the same decision
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL") || c.startsWith("RCPT"));
        }
    }

    /**
     * RFC 7435: under level may only a failed TLS handshake is retried in
     * plaintext on a new connection. A server that breaks off the session at
     * STARTTLS (here a malformed reply to it) gets no plaintext retry, so the
     * message waits; the probe must not promise plaintext delivery there.
     */
    @Test
    void aSessionBrokenOffAtStartTlsIsNoPlaintextFallbackInTheProbeAsInDelivery() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)))
                .reply("STARTTLS", "not an SMTP reply")) {
            ProbedAndDelivered r = probeAndDeliverUnderMay(server);
            assertThat(r.delivered().outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(server.received("MAIL")).isFalse();
            assertThat(r.report().level()).isEqualTo(Level.UNDELIVERABLE);
            assertThat(r.report().summary()).contains("would wait in the queue");
        }
    }

    /** The case that is retried: a failed handshake goes on in plaintext, and the probe says so. */
    @Test
    void aFailedHandshakeUnderMayIsPlaintextInTheProbeAsInDelivery() throws Exception {
        javax.net.ssl.SSLContext keyless = javax.net.ssl.SSLContext.getInstance("TLS");
        keyless.init(null, null, null); // announces STARTTLS, but every handshake fails
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(keyless)) {
            ProbedAndDelivered r = probeAndDeliverUnderMay(server);
            assertThat(r.delivered().outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(r.delivered().hop().tlsProtocol()).isEmpty();
            assertThat(r.report().level()).isEqualTo(Level.PLAINTEXT);
        }
    }

    private record ProbedAndDelivered(ProbeReport report, Courier.Result delivered) {
    }

    /** A connecting probe, then a delivery, from one planner with level may to {@code server} as the MX of the zone. */
    private ProbedAndDelivered probeAndDeliverUnderMay(ScriptedSmtpServer server) throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             TestDns dns = TestDns.builder().unsignedZone(ZONE).mx(10, MX).a(MX, "127.0.0.1").start();
             ServerProbe check = new ServerProbe("sender.test", ClientTimeouts.all(Duration.ofSeconds(20)), null,
                     Clock.systemUTC())) {
            DeliveryPlanner planner = out.planner(dns.validatingResolver(), server.address().getPort(), "may");
            ProbeReport report = new Probe(planner, d -> false, null, check, Clock.systemUTC()).probe("anna@" + ZONE);
            Courier.Result delivered = out.deliver(out.courier(planner), out.queue("sender@sender.test", "anna@" + ZONE))
                    .getFirst();
            return new ProbedAndDelivered(report, delivered);
        }
    }
}
