package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.outbound.OutboundFixture.MX;
import static org.depesche.outbound.OutboundFixture.spkiSha256;
import static org.depesche.outbound.OutboundFixture.tlsaName;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.depesche.mail.BodyType;
import org.depesche.config.Config;
import org.depesche.directory.FileDirectory;
import org.depesche.dns.TestDns;
import org.depesche.dsn.Bouncer;
import org.depesche.queue.Envelope;
import org.depesche.queue.FileQueue;
import org.depesche.testsupport.ForwardingQueue;
import org.depesche.queue.LocalCourier;
import org.depesche.queue.Queue;
import org.depesche.queue.QueueRunner;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.store.MaildirStore;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sending server's pipeline as the composition root wires it (queue,
 * runner, routing to local and remote couriers, bounces): failures come
 * back to a local sender as readable RFC 3464 reports in its Maildir.
 */
class BounceEndToEndTest {
    private static final String SENDER = "sender@sender.test";

    @TempDir
    Path dir;

    private OutboundFixture out;
    private FileDirectory directory;
    private FileQueue queue;
    private QueueRunner runner;
    private final TestPki.Identity id;

    BounceEndToEndTest() throws Exception {
        id = TestPki.selfSigned(MX);
    }

    @BeforeEach
    void setUp() throws Exception {
        out = new OutboundFixture(dir);
        directory = OutboundFixture.senderDirectory(dir, SENDER);
        queue = new FileQueue(dir.resolve("data/queue"), 0, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        if (runner != null) runner.close();
        queue.close();
        out.close();
    }

    private void startRunner(RemoteCourier remote, Duration delayNotice) {
        startRunner(remote, delayNotice, queue);
    }

    /** {@code reports}: where the bouncer queues its reports (the runner's queue, or one whose disk is full). */
    private void startRunner(RemoteCourier remote, Duration delayNotice, Queue reports) {
        MaildirStore store = new MaildirStore(dir.resolve("data/mail"), "mx.sender.test", Clock.systemUTC());
        Config.Queue settings = new Config.Queue(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofDays(5), 2);
        runner = new QueueRunner(queue, new RoutingCourier(directory, new LocalCourier(store), remote), settings, Clock.systemUTC());
        new Bouncer(reports, queue, directory, "mx.sender.test", settings.maxLifetime(), Clock.systemUTC())
                .attach(runner, delayNotice);
        runner.start();
    }

    /**
     * The runner's queue directory as the bouncer writes to it, on a disk
     * that is below its free-space reserve until {@link #spaceBack}: while
     * full, through a second FileQueue on the same directory whose reserve
     * no disk meets, so every report is refused by FileQueue's own check
     * (QueueFullException), as the SMTP server's 452 is.
     */
    private final class DiskBelowReserve extends ForwardingQueue {
        private final FileQueue belowReserve;
        private volatile boolean full = true;

        DiskBelowReserve() throws IOException {
            super(queue);
            belowReserve = new FileQueue(dir.resolve("data/queue"), Long.MAX_VALUE, Clock.systemUTC());
        }

        void spaceBack() {
            full = false;
        }

        @Override
        public Incoming begin() throws IOException {
            return (full ? belowReserve : queue).begin();
        }

        @Override
        public void close() {
            belowReserve.close();
        }
    }

    private QueuedMessage submit(String sender, String... rcpts) throws IOException {
        return submit(TransportDemand.NONE, sender, rcpts);
    }

    private QueuedMessage submit(TransportDemand demand, String sender, String... rcpts) throws IOException {
        try (Queue.Incoming in = queue.begin()) {
            in.content().write(OutboundFixture.BODY.getBytes(StandardCharsets.UTF_8));
            List<Recipient> to = Stream.of(rcpts).map(MailAddress::parse).map(a -> new Recipient(a, a)).toList();
            return in.commit(new Envelope(Optional.ofNullable(sender).map(MailAddress::parse), to,
                    java.time.Instant.now(), "testcid00002", "127.0.0.1", TlsInfo.NONE, Optional.of(SENDER), false,
                    BodyType.SEVEN_BIT).withDemand(demand));
        }
    }

    private Path inbox() {
        return dir.resolve("data/mail/sender.test/sender/new");
    }

    private List<Path> awaitMail(int count) throws Exception {
        for (int i = 0; i < 300 && mail().size() < count; i++) Thread.sleep(100);
        return mail();
    }

    private List<Path> mail() throws IOException {
        if (!Files.isDirectory(inbox())) return List.of();
        try (Stream<Path> s = Files.list(inbox())) {
            return s.sorted().toList();
        }
    }

    private void awaitEmptyQueue() throws Exception {
        for (int i = 0; i < 300 && !(runner.ids().isEmpty() && queue.list().isEmpty()); i++) Thread.sleep(100);
        assertThat(queue.list()).isEmpty();
    }

    private static Message parse(Path file) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        try (InputStream in = Files.newInputStream(file)) {
            return builder.parseMessage(in);
        }
    }

    private static String text(Entity part) throws IOException {
        try (InputStream in = ((SingleBody) part.getBody()).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aRecipientRefusedWith550BouncesAReadableReportIntoTheSendersMaildir() throws Exception {
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), id);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .tlsa(tlsaName(mx.address().getPort(), MX), 3, 1, 1, spkiSha256(id)).start()) {
            startRunner(out.courier(dns.validatingResolver(), mx.address().getPort()), Duration.ofHours(4));
            QueuedMessage m = submit(SENDER, "nobody@example.org");
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            String raw = Files.readString(mail.getFirst());
            assertThat(raw).startsWith("Return-Path: <>");

            Message dsn = parse(mail.getFirst());
            assertThat(dsn.getMimeType()).isEqualTo("multipart/report");
            assertThat(dsn.getHeader().getField("Content-Type").getBody()).contains("report-type=delivery-status");
            assertThat(dsn.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
            assertThat(dsn.getHeader().getField("Auto-Submitted").getBody()).isEqualTo("auto-replied");
            List<Entity> parts = ((Multipart) dsn.getBody()).getBodyParts();
            assertThat(parts).extracting(Entity::getMimeType)
                    .containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");

            String words = text(parts.get(0)).replace("\n    ", " ");
            assertThat(words).contains("<nobody@example.org>").contains("mx.example.org [127.0.0.1]")
                    .contains("server authenticated: dane-ee").contains("550 5.1.1").contains(m.id());
            String status = text(parts.get(1));
            assertThat(status).contains("Reporting-MTA: dns; mx.sender.test")
                    .contains("Arrival-Date: ")
                    .contains("Final-Recipient: rfc822; nobody@example.org")
                    .contains("Action: failed")
                    .contains("Status: 5.1.1")
                    .contains("Remote-MTA: dns; mx.example.org")
                    .contains("Diagnostic-Code: smtp; 550 5.1.1");
            assertThat(text(parts.get(2))).contains("Subject: outbound test");
            awaitEmptyQueue();
        }
    }

    @Test
    void aRefusalMadeByThisSideHasItsStatusButNoDiagnosticCodeAsIfTheServerHadSaidIt() throws Exception {
        // RFC 3464 2.3.6: Diagnostic-Code is what the remote MTA said; here it announced SIZE 10 and said nothing else.
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id)).extensions("SIZE 10");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofHours(4));
            submit(SENDER, "alice@example.org");
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            List<Entity> parts = ((Multipart) parse(mail.getFirst()).getBody()).getBodyParts();
            assertThat(text(parts.get(1))).contains("Action: failed").contains("Status: 5.3.4")
                    .contains("Remote-MTA: dns; mx.example.org").doesNotContain("Diagnostic-Code");
            assertThat(text(parts.get(0)).replace("\n    ", " ")).contains("is larger than mx.example.org [127.0.0.1] accepts")
                    .doesNotContain("it said");
            assertThat(server.received("MAIL")).isFalse();
            awaitEmptyQueue();
        }
    }

    @Test
    void aNullMxBouncesAtOnceWithStatus5110() throws Exception {
        try (TestDns dns = TestDns.builder().signedZone("example.org").mx(0, ".").start()) {
            startRunner(out.courier(dns.validatingResolver(), 25), Duration.ofHours(4));
            submit(SENDER, "alice@example.org");
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            List<Entity> parts = ((Multipart) parse(mail.getFirst()).getBody()).getBodyParts();
            assertThat(text(parts.get(1))).contains("Action: failed").contains("Status: 5.1.10");
            assertThat(text(parts.get(0))).contains("publishes a null MX record");
            awaitEmptyQueue();
        }
    }

    @Test
    void aFailureOfAMessageFromTheNullSenderBouncesNothing() throws Exception {
        try (TestDns dns = TestDns.builder().signedZone("example.org").mx(0, ".").start()) {
            startRunner(out.courier(dns.validatingResolver(), 25), Duration.ofHours(4));
            submit((String) null, "alice@example.org");
            awaitEmptyQueue();
            assertThat(mail()).isEmpty();
        }
    }

    @Test
    void aBounceThatCannotBeQueuedOnAFullDiskKeepsTheOriginalUntilTheBounceIsQueued() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))
                     .reply("RCPT", "550 5.1.1 no such user");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start();
             DiskBelowReserve disk = new DiskBelowReserve()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofHours(4), disk);
            QueuedMessage m = submit(SENDER, "alice@example.org");
            // The recipient failed for good, and the message is kept (saved as done) because its bounce is not queued.
            for (int i = 0; i < 300 && !failedAndKept(m.id()); i++) Thread.sleep(100);
            assertThat(failedAndKept(m.id())).as("failed recipient recorded, original still queued").isTrue();
            Instant kept = Instant.now();
            // Several retry rounds (200 ms apart) refused by the full disk: the original stays, nothing is lost.
            while (Duration.between(kept, Instant.now()).toMillis() < 1500) Thread.sleep(100);
            assertThat(queue.get(m.id())).isPresent();
            assertThat(mail()).isEmpty();

            disk.spaceBack();
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            assertThat(text(((Multipart) parse(mail.getFirst()).getBody()).getBodyParts().get(1)))
                    .contains("Action: failed").contains("Status: 5.1.1");
            awaitEmptyQueue();
            assertThat(awaitMail(2)).as("one bounce, not one per refused round").hasSize(1);
        }
    }

    private boolean failedAndKept(String id) throws IOException {
        return queue.get(id).map(q -> q.states().getFirst().state() == QueuedMessage.State.FAILED).orElse(false);
    }

    @Test
    void aDelayNoticeIsMarkedSentOnlyOnceItIsQueued() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id)).reply("RCPT", "451 4.3.0 busy");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start();
             DiskBelowReserve disk = new DiskBelowReserve()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofMillis(1), disk);
            QueuedMessage m = submit(SENDER, "alice@example.org");
            for (int i = 0; i < 300 && queue.get(m.id()).map(q -> q.attempts().size()).orElse(0) < 3; i++) Thread.sleep(100);
            QueuedMessage waiting = queue.get(m.id()).orElseThrow();
            assertThat(waiting.attempts().size()).isGreaterThanOrEqualTo(3);
            assertThat(waiting.delayNotified()).as("no notice could be queued yet").isFalse();
            assertThat(mail()).isEmpty();

            disk.spaceBack();
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            assertThat(text(((Multipart) parse(mail.getFirst()).getBody()).getBodyParts().get(1))).contains("Action: delayed");
            for (int i = 0; i < 300 && !queue.get(m.id()).orElseThrow().delayNotified(); i++) Thread.sleep(100);
            assertThat(queue.get(m.id()).orElseThrow().delayNotified()).isTrue();
        }
    }

    /** The largest reply the client still reads: 100 lines of 2 KB (SmtpConnection's limits). */
    private static String hugeReply(int code, String status) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            if (i > 0) b.append("\r\n");
            b.append(code).append(i < 99 ? '-' : ' ').append(status).append(" line ").append(i).append(' ')
                    .append("x".repeat(1990));
        }
        return b.toString();
    }

    /** Ten MX hosts of example.org, tried in order, all on the loopback address of the scripted server. */
    private static TestDns tenMx() throws Exception {
        TestDns.Builder zone = TestDns.builder().unsignedZone("example.org");
        for (int i = 0; i < 10; i++) zone.mx(10 * (i + 1), "mx" + i + ".example.org").a("mx" + i + ".example.org", "127.0.0.1");
        return zone.start();
    }

    /**
     * Finding 6 of issue 8: every MX greets with 421 and 200 KB of text.
     * Each round's ten replies went, whole, into each recipient's state and
     * attempt, and the history only grew: 11 MB more envelope per round.
     */
    @Test
    void hugeRepliesFromEveryMxKeepTheEnvelopeSmallRoundAfterRound() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null).greeting(hugeReply(421, "4.3.2"));
             TestDns dns = tenMx()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofHours(4));
            QueuedMessage m = submit(SENDER, "a@example.org", "b@example.org", "c@example.org");
            Path env = dir.resolve("data/queue/spool/" + m.id() + ".env");
            int rounds = QueuedMessage.LAST_ATTEMPTS + 4; // more rounds than the history keeps
            long largest = 0;
            for (int i = 0; i < 600 && queue.get(m.id()).orElseThrow().deferrals() < rounds; i++) {
                largest = Math.max(largest, Files.size(env));
                assertThat(largest).as("envelope after %d rounds", queue.get(m.id()).orElseThrow().deferrals())
                        .isLessThan(64 * 1024);
                Thread.sleep(50);
            }
            QueuedMessage after = queue.get(m.id()).orElseThrow();
            System.out.printf("envelope after %d rounds of 10 x 200 KB replies for 3 recipients: %d bytes (largest seen %d)%n",
                    after.deferrals(), Files.size(env), largest);
            assertThat(after.deferrals()).isGreaterThanOrEqualTo(rounds);
            assertThat(server.connections()).isGreaterThanOrEqualTo(10 * rounds);
            assertThat(Files.size(env)).isLessThan(64 * 1024);
            assertThat(after.attempts()).hasSize(3 * (1 + QueuedMessage.LAST_ATTEMPTS));
            assertThat(after.states().getFirst().detail()).contains("said: 421 4.3.2 line 0 xxx").contains("...")
                    .contains("7 earlier not shown").hasSizeLessThanOrEqualTo(org.depesche.queue.Excerpt.DETAIL);
        }
    }

    /**
     * Finding 6 of issue 8, reproduced: nine MX hosts greet with a huge 421,
     * the tenth refuses each RCPT with a huge 550. The bounce quoted all of
     * it for each recipient (2.1 MB and 13 s for one recipient, 56 s for five).
     */
    @Test
    void aBounceAfterHugeRepliesFromTenMxHostsIsSmallAndSaysWhatFailed() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null).greetingForFirst(9, hugeReply(421, "4.3.2"))
                     .reply("RCPT", hugeReply(550, "5.1.1"));
             TestDns dns = tenMx()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofHours(4));
            submit(SENDER, "a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org");
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            long size = Files.size(mail.getFirst());
            System.out.printf("bounce for 5 recipients after 10 x 200 KB replies: %d bytes%n", size);
            assertThat(size).isLessThan(48 * 1024);
            List<Entity> parts = ((Multipart) parse(mail.getFirst()).getBody()).getBodyParts();
            String words = text(parts.get(0)).replaceAll("\\s+", " ");
            assertThat(words).contains("<e@example.org>").contains("mx9.example.org [127.0.0.1] said: 550 5.1.1 line 0 xxx")
                    .contains("tried before: 6 earlier not shown; ").contains("mx8.example.org").contains("...");
            assertThat(text(parts.get(1))).contains("Status: 5.1.1").contains("Diagnostic-Code: smtp; 550 5.1.1 line 0");
            assertThat(Files.readAllLines(mail.getFirst())).allSatisfy(l -> assertThat(l.length()).isLessThan(998));
            awaitEmptyQueue();
        }
    }

    @Test
    void aLongDelayIsReportedOnceWhileRetriesGoOn() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id)).reply("RCPT", "451 4.3.0 busy");
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofMillis(1));
            QueuedMessage m = submit(SENDER, "alice@example.org");
            for (int i = 0; i < 300 && queue.get(m.id()).map(q -> q.attempts().size()).orElse(0) < 3; i++) Thread.sleep(100);
            assertThat(queue.get(m.id()).orElseThrow().attempts().size()).isGreaterThanOrEqualTo(3);
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            List<Entity> parts = ((Multipart) parse(mail.getFirst()).getBody()).getBodyParts();
            assertThat(text(parts.get(1))).contains("Action: delayed").contains("Status: 4.3.0").contains("Will-Retry-Until: ");
            assertThat(text(parts.get(0))).contains("still being retried");
            assertThat(queue.get(m.id()).orElseThrow().delayNotified()).isTrue();
        }
    }

    @Test
    void aSecureSendersMessageToAnMxWithoutStartTlsBouncesAReadableReportAndNoPlaintextByteOfItLeft() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofHours(4));
            submit(SecureSenderDeliveryTest.SECURE, SENDER, "alice@example.org");
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            List<Entity> parts = ((Multipart) parse(mail.getFirst()).getBody()).getBodyParts();
            String words = text(parts.get(0)).replaceAll("\\s+", " ");
            assertThat(words).contains("<alice@example.org>").contains("Nothing was sent to example.org")
                    .contains("mx.example.org offers no encryption (STARTTLS)")
                    .contains("because the sender sender@sender.test is a secure address")
                    .contains("It will not be retried");
            assertThat(text(parts.get(1))).contains("Action: failed").contains("Status: 5.7.10")
                    .contains("Remote-MTA: dns; mx.example.org").doesNotContain("Diagnostic-Code");
            assertThat(server.commands()).containsExactly("EHLO sender.test", "QUIT");
            awaitEmptyQueue();
        }
    }

    @Test
    void aRequireTlsMessageToAHopWithoutRequireTlsBouncesWith5730AndNoneOfItsContent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .tlsa(tlsaName(server.address().getPort(), MX), 3, 1, 1, spkiSha256(id)).start()) {
            startRunner(out.courier(dns.validatingResolver(), server.address().getPort()), Duration.ofHours(4));
            submit(SecureSenderDeliveryTest.REQUIRETLS, SENDER, "alice@example.org");
            List<Path> mail = awaitMail(1);
            assertThat(mail).hasSize(1);
            String raw = Files.readString(mail.getFirst());
            assertThat(raw).doesNotContain("outbound test").doesNotContain("Hello over DANE");
            List<Entity> parts = ((Multipart) parse(mail.getFirst()).getBody()).getBodyParts();
            assertThat(text(parts.get(0)).replaceAll("\\s+", " ")).contains("does not offer REQUIRETLS")
                    .contains("contains none of its content");
            assertThat(text(parts.get(1))).contains("Status: 5.7.30");
            assertThat(parts.get(2).getMimeType()).isEqualTo("text/rfc822-headers");
            assertThat(text(parts.get(2))).contains("From: Sender <sender@sender.test>").contains("To: alice@example.org");
            assertThat(server.received("MAIL")).isFalse();
            awaitEmptyQueue();
        }
    }
}
