package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.depesche.mail.BodyType;
import org.depesche.config.Config;
import org.depesche.dns.CachingDnsResolver;
import org.depesche.dns.TestDns;
import org.depesche.outbound.DeliveryPlanner;
import org.depesche.outbound.RemoteCourier;
import org.depesche.policy.FileDowngradeMemory;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.Courier;
import org.depesche.queue.Envelope;
import org.depesche.queue.FileQueue;
import org.depesche.queue.Queue;
import org.depesche.queue.QueueRunner;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.smtp.client.ClientTimeouts;
import org.depesche.smtp.client.SmtpClient;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 finding 9: what a remote server says reaches the queue files and
 * the operator's terminal without a control character in it. The attack is
 * the one reproduced: an OSC sequence that retitles the terminal, a CSI
 * sequence that clears it, a lone CR that overwrites the line, a NUL.
 */
class PeerTextTest {
    static final String MX = "mx.example.org";
    static final String RETITLE = "\u001b]0;pwned\u0007";
    static final String CLEAR = "\u001b[2J";
    /** Also a bidi override (reorders what a reader sees), a Unicode line separator and a TAB. */
    static final String HOSTILE = RETITLE + " busy " + CLEAR + "\rOVERWRITTEN\u0000 end\u202e\u2028\t!";
    /** HOSTILE as it is stored and printed. */
    static final String SHOWN = "?]0;pwned? busy ?[2J?OVERWRITTEN? end?? !";

    @TempDir
    Path dir;

    @Test
    void aRemoteServersRepliesReachTheQueueFilesAndQueueShowWithoutControlCharacters() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null)
                .greeting("220 scripted.test ESMTP " + HOSTILE)
                .reply("EHLO", "250-scripted.test " + HOSTILE + "\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
                .reply("RCPT TO:", "450 4.2.1 mailbox " + HOSTILE);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start();
             CachingDnsResolver resolver = dns.validatingResolver()) {
            Path config = Files.writeString(dir.resolve("depesche.toml"), "data_dir = \"data\"\n");
            String id = deferOnce(resolver, server.address().getPort());

            try (Stream<Path> files = Files.walk(dir.resolve("data/queue"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".env")).toList()) { // .msg is the message itself
                    // JSON would escape ESC as \u001b: what the envelope holds is the decoded text.
                    assertNoControls(texts(new ObjectMapper().readTree(f.toFile())));
                }
            }
            CliRun show = CliRun.of("queue", "show", id, "--config", config.toString());
            assertThat(show.code()).as(show.err()).isZero();
            assertThat(show.out()).contains("450 4.2.1 mailbox " + SHOWN);
            assertNoControls(show.out());
            CliRun list = CliRun.of("queue", "list", "--config", config.toString());
            assertThat(list.code()).as(list.err()).isZero();
            assertNoControls(list.out());
        }
    }

    @Test
    void probeTextAndJsonCarryNoControlCharactersFromAHostileGreeting() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null).greeting("554 5.7.1 no " + HOSTILE);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            String config = ProbeCommandTest.config(dir, dns, server.address().getPort());
            CliRun text = CliRun.of("probe", "--config", config, "example.org");
            assertThat(text.code()).as(text.err()).isZero();
            assertThat(text.out()).contains("554 5.7.1 no " + SHOWN);
            assertNoControls(text.out());

            CliRun json = CliRun.of("probe", "--json", "--config", config, "example.org");
            assertThat(json.code()).as(json.err()).isZero();
            assertNoControls(json.out());
            // The raw output has ESC only as the six characters \u001b; what a script decodes must be safe too.
            String message = new ObjectMapper().readTree(json.out()).at("/mx/0/connections/0/message").asText();
            assertThat(message).contains("554 5.7.1 no " + SHOWN);
            assertNoControls(message);
        }
    }

    /**
     * The second line of defence: text already stored with controls in it
     * (by a version before the client cleaned replies, or in a file edited
     * by hand) is still printed safely, by every command.
     */
    @Test
    void storedTextWithControlsIsPrintedSafelyByQueueShowPolicyShowAndProbe() throws Exception {
        Path config = Files.writeString(dir.resolve("depesche.toml"), "data_dir = \"data\"\n");
        String id;
        try (FileQueue q = new FileQueue(dir.resolve("data/queue"), 0, Clock.systemUTC())) {
            QueuedMessage m = queue(q);
            id = m.id();
            q.update(m.record(0, Instant.now(), Courier.Result.deferred("said: 450 " + HOSTILE)
                    .withHop(new Courier.Hop(MX, "127.0.0.1", "", "", "none", "450 " + HOSTILE))));
        }
        new FileDowngradeMemory(dir.resolve("data/policy")).remember("example.org", Strength.ENCRYPTED, "mx" + CLEAR + ".example.org",
                Instant.now());

        CliRun show = CliRun.of("queue", "show", id, "--config", config.toString());
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("said: 450 " + SHOWN);
        assertNoControls(show.out());

        CliRun policy = CliRun.of("policy", "show", "example.org", "--config", config.toString());
        assertThat(policy.code()).as(policy.err()).isZero();
        assertThat(policy.out()).contains("via mx?[2J.example.org");
        assertNoControls(policy.out());

        try (TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            // replaces depesche.toml; its data_dir is the default "data", so the probe reads the same memory
            String probeConfig = ProbeCommandTest.config(dir, dns, 9);
            CliRun text = CliRun.of("probe", "--no-connect", "--config", probeConfig, "example.org");
            assertThat(text.code()).as(text.err()).isZero();
            assertThat(text.out()).contains("via mx?[2J.example.org");
            assertNoControls(text.out());
            CliRun json = CliRun.of("probe", "--no-connect", "--json", "--config", probeConfig, "example.org");
            assertThat(json.code()).as(json.err()).isZero();
            assertThat(new ObjectMapper().readTree(json.out()).at("/policy/remembered/mx").asText())
                    .isEqualTo("mx?[2J.example.org");
        }
    }

    /** The line ends of printed output are the only control characters allowed. */
    private static void assertNoControls(String printed) {
        assertThat(printed.replace("\n", "")).doesNotContain("\u001b", "\u0007", "\r", "\u0000", "\u202e", "\u2028", "\t");
    }

    /** Every string value in {@code node}, one per line. */
    private static String texts(JsonNode node) {
        if (node.isTextual()) return node.asText() + "\n";
        StringBuilder all = new StringBuilder();
        node.forEach(child -> all.append(texts(child)));
        return all.toString();
    }

    /** One delivery attempt by the real queue runner and SMTP client, deferred by the RCPT reply. */
    private String deferOnce(CachingDnsResolver dns, int port) throws Exception {
        Config.Delivery settings = new Config.Delivery("may", port, null, null, null, null, null, List.of());
        try (SmtpClient client = new SmtpClient("sender.test", ClientTimeouts.all(Duration.ofSeconds(20)), null, Clock.systemUTC());
             FileQueue queue = new FileQueue(dir.resolve("data/queue"), 0, Clock.systemUTC());
             QueueRunner runner = new QueueRunner(queue, new RemoteCourier(new DeliveryPlanner(dns,
                     new PolicyEngine(settings, new FileDowngradeMemory(dir.resolve("data/policy"))), port, new Random(7), Set.of()),
                     client, Clock.systemUTC()), new Config.Queue(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5), 1),
                     Clock.systemUTC())) {
            runner.start();
            QueuedMessage m = queue(queue);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (queue.get(m.id()).orElseThrow().deferrals() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(queue.get(m.id()).orElseThrow().deferrals()).isEqualTo(1);
            return m.id();
        }
    }

    private static QueuedMessage queue(Queue queue) throws IOException {
        try (Queue.Incoming in = queue.begin()) {
            try (OutputStream out = in.content()) {
                out.write("Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            MailAddress bob = MailAddress.parse("bob@example.org");
            return in.commit(new Envelope(Optional.of(MailAddress.parse("alice@sender.test")), List.of(new Recipient(bob, bob)),
                    Instant.now(), "testcid00001", "127.0.0.1", TlsInfo.NONE, Optional.empty(), false,
                    BodyType.SEVEN_BIT));
        }
    }
}
