package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.depesche.config.Config;
import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.FileDirectory;
import org.depesche.dns.TestDns;
import org.depesche.mtasts.FilePolicyStore;
import org.depesche.mtasts.PolicyCache;
import org.depesche.mtasts.StsRecord;
import org.depesche.queue.LocalCourier;
import org.depesche.queue.QueueRunner;
import org.depesche.queue.QueuedMessage;
import org.depesche.store.MaildirStore;
import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * THREATS T14 through the whole sending pipeline (queue, runner, routing,
 * policy engine, MTA-STS cache, SMTP client): a destination whose MTA-STS
 * policy host sends its headers and then trickles the policy, one byte in a
 * while, for minutes. Every worker is free to deliver to it (the destination
 * limit is above the worker count, as with the defaults, 20 and 16), so it is
 * the fetch deadline and the fetch pool that keep the other mail moving.
 */
class SlowPolicyHostDeliveryTest {
    private static final String SLOW = "slow.example";
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    /** Four workers, up to twenty deliveries to one destination. */
    private static final Config.Queue SETTINGS =
            new Config.Queue(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1), 4, 20);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private OutboundFixture out;
    private FileDirectory directory;

    @BeforeEach
    void setUp() throws Exception {
        out = new OutboundFixture(dir);
        open.add(out);
        directory = new FileDirectory(dir.resolve("data/directory.json"), Clock.systemUTC(),
                new PasswordHasher(64, 1, 1, 2, new SecureRandom()));
        directory.addDomain("sender.test");
        directory.addUser("sender@sender.test", "pw".toCharArray());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
    }

    private <T extends AutoCloseable> T opened(T resource) {
        open.add(resource);
        return resource;
    }

    /** A policy of some 2 KB, sent at a byte per 200 ms: about seven minutes for the whole of it. */
    private static String longPolicy() {
        StringBuilder b = new StringBuilder("version: STSv1\r\nmode: enforce\r\nmx: mx." + SLOW + "\r\nmax_age: 86400\r\n");
        while (b.length() < 2000) b.append("x-pad: ").append("a".repeat(70)).append("\r\n");
        return b.toString();
    }

    @Test
    void mailForAStalledPolicyHostsDomainDoesNotHoldUpLocalMailOrAnotherDomain() throws Exception {
        TestPki.Identity ca = TestPki.ca("Test Web PKI");
        PolicyServer policyHost = opened(new PolicyServer(TestPki.leaf(ca, "localhost")).trickle(longPolicy(), Duration.ofMillis(200)));
        ScriptedSmtpServer mx = opened(new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned("mx." + SLOW))));
        TestDns dns = opened(TestDns.builder()
                .unsignedZone(SLOW).mx(10, "mx." + SLOW).a("mx." + SLOW, "127.0.0.1")
                .txt("_mta-sts." + SLOW, "v=STSv1; id=20261128;")
                .unsignedZone("example.org").mx(10, "mx.example.org").a("mx.example.org", "127.0.0.1")
                .start());
        var resolver = dns.validatingResolver();
        PolicyCache cache = new PolicyCache(new FilePolicyStore(dir.resolve("data/mta-sts")),
                policyHost.fetcher(PolicyServer.clientTrusting(ca), DEADLINE), d -> StsRecord.lookup(resolver, d), Clock.systemUTC());
        RemoteCourier remote = out.courier(resolver, mx.address().getPort(), "dane", cache);
        MaildirStore store = new MaildirStore(dir.resolve("data/mail"), "mx.sender.test", Clock.systemUTC());
        QueueRunner runner = opened(new QueueRunner(out.queue,
                new RoutingCourier(directory, new LocalCourier(store), remote), SETTINGS, Clock.systemUTC()));
        runner.start();

        List<QueuedMessage> slow = new ArrayList<>();
        for (int i = 0; i < 8; i++) slow.add(out.queue("sender@sender.test", "bob@" + SLOW));
        for (int i = 0; i < 100 && policyHost.requests() == 0; i++) Thread.sleep(50);
        assertThat(policyHost.requests()).as("the policy host is asked and starts to trickle").isEqualTo(1);
        QueuedMessage local = out.queue("alice@example.org", "sender@sender.test");
        QueuedMessage other = out.queue("sender@sender.test", "carol@example.org");

        awaitGone(local);
        assertThat(inbox()).hasSize(1);
        awaitGone(other);
        for (QueuedMessage m : slow) awaitGone(m); // RFC 8461 5.1: no policy could be had, so none applies
        assertThat(mx.messages()).hasSize(9);
        assertThat(policyHost.requests()).as("one fetch for all eight messages").isEqualTo(1);
        assertThat(cache.cached(SLOW)).isEmpty();
    }

    /** Bounded: 30 s is the deadline many times over, and far less than the trickle's seven minutes. */
    private void awaitGone(QueuedMessage m) throws Exception {
        for (int i = 0; i < 300 && out.queue.get(m.id()).isPresent(); i++) Thread.sleep(100);
        assertThat(out.queue.get(m.id())).as("message %s delivered", m.id()).isEmpty();
    }

    private List<Path> inbox() throws IOException {
        Path newMail = dir.resolve("data/mail/sender.test/sender/new");
        if (!Files.isDirectory(newMail)) return List.of();
        try (Stream<Path> s = Files.list(newMail)) {
            return s.toList();
        }
    }
}
