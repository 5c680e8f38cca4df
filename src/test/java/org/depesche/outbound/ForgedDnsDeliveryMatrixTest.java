package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.depesche.config.Config;
import org.depesche.dns.CachingDnsResolver;
import org.depesche.dns.ForgeryMatrix;
import org.depesche.dns.ForgeryMatrix.Cell;
import org.depesche.dns.ForgeryMatrix.Shape;
import org.depesche.dns.TestDns;
import org.depesche.queue.Courier;
import org.depesche.queue.QueueRunner;
import org.depesche.queue.QueuedMessage;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.MitmProxy;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Type;

/**
 * Issue 8, THREATS T1, T3 and T4 end to end: example.org is signed and
 * publishes TLSA for its MX; a man in the middle sits in front of the MX
 * (a {@link MitmProxy} terminating TLS with his own certificate) and also
 * answers one DNS query of the delivery with a forgery ({@link ForgeryMatrix}).
 * A message goes through the real queue runner, remote courier, policy
 * engine and SMTP client. Whatever the forgery, it must stay queued with a
 * deferral that names the DNS problem, never bounce (a forged NXDOMAIN for
 * the MX must not turn into 5.1.2), and the man in the middle must not see
 * MAIL FROM, DATA or a byte of the message. One MX, proxy and set of signed
 * hierarchies serve every cell; each cell gets its own queue, downgrade
 * memory and resolver (empty cache), and the attack is switched off after it.
 */
class ForgedDnsDeliveryMatrixTest {
    @TempDir
    static Path dir;

    static DepescheMx mx;
    static MitmProxy proxy;
    static ForgeryMatrix matrix;

    @BeforeAll
    static void startMxProxyAndDns() throws Exception {
        TestPki.Identity real = TestPki.selfSigned(OutboundFixture.MX);
        TestPki.Identity attacker = TestPki.selfSigned(OutboundFixture.MX);
        mx = DepescheMx.start(dir.resolve("mx"), real);
        proxy = MitmProxy.terminateTls(mx.address(), TestPki.serverContext(attacker));
        // the courier connects to the proxy's port, so that is the port the TLSA records are for
        matrix = new ForgeryMatrix(proxy.address().getPort(), real.certificate(), attacker.certificate());
    }

    @AfterAll
    static void stop() throws Exception {
        matrix.close();
        proxy.close();
        mx.close();
    }

    /**
     * Every cell of the matrix but the DS-dropped ones for the address and CNAME targets: a
     * dropped DS query and a SERVFAIL one reach dnsjava the same way, as a fetch that failed
     * (BoundedResolver turns SERVFAIL into an exception, as a timeout is one), so at the delivery
     * level they are the same cell at the price of a query timeout each. The resolver matrix
     * runs them all; here the dropped DS is kept for MX (the bounce) and TLSA (DANE off).
     */
    static Stream<Cell> cells() {
        return ForgeryMatrix.cells().filter(c -> !c.forgery().dropsAQuery() || c.target().type() == Type.MX
                || c.target().type() == Type.TLSA);
    }

    /** What the first delivery round left: the message if still queued, the message if it left, what the MitM read. */
    private record Round(QueuedMessage queued, QueuedMessage finished, String proxySaw, int mxReceived) {
        String detail() {
            return queued == null ? "" : queued.attempts().getFirst().detail();
        }
    }

    @ParameterizedTest(name = "no forgery, {0}")
    @EnumSource(Shape.class)
    void withoutAForgeryDaneIsInForceAndTheMitmsCertificateDefersTheMessage(Shape shape) throws Exception {
        // the control: the cells below defer for the DNS problem, not for the TLSA mismatch seen here
        Round r = deliverOnce(matrix.dns(shape));

        assertThat(r.finished()).as("the message left the queue").isNull();
        assertThat(r.queued().attempts().getFirst().outcome()).isEqualTo(Courier.Outcome.DEFERRED);
        assertThat(r.detail()).contains("do not match the certificate it presented");
        assertThat(r.proxySaw()).doesNotContain("MAIL FROM").doesNotContain("Hello over DANE");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void aForgedDnsAnswerDefersTheMessageAndTheMitmReadsNoByteOfIt(Cell cell) throws Exception {
        TestDns dns = matrix.attacked(cell);
        Round r;
        try {
            r = deliverOnce(dns);
        } finally {
            dns.stopAttacks();
        }

        assertThat(r.finished()).as("%s: the message left the queue (a bounce or a delivery): %s", cell,
                r.finished() == null ? "" : r.finished().states()).isNull();
        assertThat(r.queued().states().getFirst().state()).isEqualTo(QueuedMessage.State.PENDING);
        assertThat(r.queued().attempts().getFirst().outcome()).as(r.detail()).isEqualTo(Courier.Outcome.DEFERRED);
        assertThat(r.detail()).as("%s: the deferral names the DNS problem", cell).containsAnyOf("lookup", "DNSSEC");
        assertThat(r.proxySaw()).as("%s: what the MitM read", cell)
                .doesNotContain("MAIL FROM").doesNotContain("DATA").doesNotContain("Hello over DANE");
        assertThat(r.mxReceived()).as("messages the real MX got through the MitM").isZero();
    }

    /**
     * Queues one message to alice@example.org and runs the queue until its first attempt is
     * recorded (or it leaves the queue); the backoff is long, so there is no second attempt.
     */
    private static Round deliverOnce(TestDns dns) throws Exception {
        Path cellDir = Files.createTempDirectory(dir, "cell");
        int mxBefore = mx.queued().size();
        int proxyBefore = proxy.clientSent().length();
        CompletableFuture<QueuedMessage> finished = new CompletableFuture<>();
        Config.Queue settings = new Config.Queue(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5), 2);
        try (OutboundFixture out = new OutboundFixture(cellDir); CachingDnsResolver resolver = dns.validatingResolver()) {
            // the remote courier alone behind the runner: the recipient's domain is never local here
            try (QueueRunner runner = new QueueRunner(out.queue, out.courier(resolver, matrix.port()), settings,
                    Clock.systemUTC())) {
                runner.onDone(finished::complete);
                runner.start();
                QueuedMessage m = out.toAlice();
                QueuedMessage queued = null;
                for (int i = 0; i < 600 && !finished.isDone(); i++) {
                    queued = out.queue.get(m.id()).filter(q -> !q.attempts().isEmpty()).orElse(null);
                    if (queued != null) break;
                    Thread.sleep(50);
                }
                assertThat(queued != null || finished.isDone()).as("a first attempt within 30 s").isTrue();
                return new Round(finished.isDone() ? null : queued, finished.getNow(null),
                        proxy.clientSent().substring(proxyBefore), mx.queued().size() - mxBefore);
            }
        }
    }
}
