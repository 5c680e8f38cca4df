package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.depesche.config.Config;
import org.depesche.directory.FileDirectory;
import org.depesche.dns.TestDns;
import org.depesche.queue.LocalCourier;
import org.depesche.queue.QueueRunner;
import org.depesche.queue.QueuedMessage;
import org.depesche.store.MaildirStore;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 7 of issue 8 (THREATS T14): MX hosts that accept connections and
 * never answer hold delivery workers until the client's timeout (20 s
 * here). Local mail must not wait for them, and one such domain must leave
 * workers for the others. Real sockets: a silent ScriptedSmtpServer, real
 * DNS, the real client, the runner as the composition root wires it.
 */
class TarpitDeliveryTest {
    private static final String LOCAL = "carol@sender.test";

    @TempDir
    Path dir;

    private OutboundFixture out;
    private FileDirectory directory;
    private QueueRunner runner;

    @BeforeEach
    void setUp() throws Exception {
        out = new OutboundFixture(dir);
        directory = OutboundFixture.senderDirectory(dir, LOCAL);
    }

    @AfterEach
    void tearDown() {
        if (runner != null) runner.close(); // waits for the held attempts to time out
        out.close();
    }

    private void start(Config.Queue settings, TestDns dns, ScriptedSmtpServer tarpit) {
        MaildirStore store = new MaildirStore(dir.resolve("data/mail"), "mx.sender.test", Clock.systemUTC());
        RemoteCourier remote = out.courier(dns.validatingResolver(), tarpit.address().getPort());
        runner = new QueueRunner(out.queue, new RoutingCourier(directory, new LocalCourier(store), remote), settings,
                Clock.systemUTC());
        runner.start();
    }

    private static TestDns tarpitDomains(String... domains) throws Exception {
        TestDns.Builder zones = TestDns.builder();
        for (String d : domains) zones.unsignedZone(d).mx(10, "mx." + d).a("mx." + d, "127.0.0.1");
        return zones.start();
    }

    private List<QueuedMessage> queueTo(String rcpt, int count) throws IOException {
        List<QueuedMessage> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) ids.add(out.queue("sender@sender.test", rcpt));
        return ids;
    }

    /** Local mail arrives while every tarpitted message is still in its first, unanswered attempt. */
    private void assertLocalMailArrivesWhileTheTarpitHolds(List<QueuedMessage> held) throws Exception {
        out.queue("sender@sender.test", LOCAL);
        Path inbox = dir.resolve("data/mail/sender.test/carol/new");
        for (int i = 0; i < 300 && count(inbox) == 0; i++) Thread.sleep(100);
        assertThat(count(inbox)).as("local message delivered").isEqualTo(1);
        for (QueuedMessage m : held)
            assertThat(out.queue.get(m.id()).orElseThrow().attempts()).as("tarpit still holding " + m.id()).isEmpty();
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static void awaitConnections(ScriptedSmtpServer tarpit, int n) throws InterruptedException {
        for (int i = 0; i < 300 && tarpit.connections() < n; i++) Thread.sleep(100);
        assertThat(tarpit.connections()).as("connections held by the tarpit").isGreaterThanOrEqualTo(n);
    }

    @Test
    void withTheDefaultsOneTarpitTakesHalfTheWorkersAndLocalMailIsDeliveredMeanwhile() throws Exception {
        Config.Queue defaults = Config.defaults().queue();
        try (ScriptedSmtpServer tarpit = new ScriptedSmtpServer(null).silent();
             TestDns dns = tarpitDomains("tarpit.example")) {
            start(defaults, dns, tarpit);
            List<QueuedMessage> held = queueTo("bob@tarpit.example", 20);
            awaitConnections(tarpit, Math.min(defaults.workers(), defaults.destinationConcurrency()));

            assertLocalMailArrivesWhileTheTarpitHolds(held);
            assertThat(defaults.destinationConcurrency()).isLessThan(defaults.workers());
            assertThat(tarpit.connections()).isEqualTo(defaults.destinationConcurrency());
        }
    }

    @Test
    void localMailIsDeliveredWhileTarpitsHoldEveryRemoteWorker() throws Exception {
        // Four workers, two per destination: two tarpitted domains take all four.
        Config.Queue settings = new Config.Queue(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(5), 4, 2);
        try (ScriptedSmtpServer tarpit = new ScriptedSmtpServer(null).silent();
             TestDns dns = tarpitDomains("one.example", "two.example")) {
            start(settings, dns, tarpit);
            List<QueuedMessage> held = new ArrayList<>(queueTo("bob@one.example", 3));
            held.addAll(queueTo("bob@two.example", 3));
            awaitConnections(tarpit, 4);

            assertLocalMailArrivesWhileTheTarpitHolds(held);
            assertThat(tarpit.connections()).isEqualTo(4);
        }
    }
}
