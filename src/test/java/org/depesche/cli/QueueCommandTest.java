package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.config.Config;
import org.depesche.queue.Courier;
import org.depesche.queue.Envelope;
import org.depesche.queue.FileQueue;
import org.depesche.queue.LocalCourier;
import org.depesche.queue.Queue;
import org.depesche.queue.QueueRunner;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.store.MaildirStore;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueCommandTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path dir;

    private Path config;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeConfig() throws IOException {
        config = Files.writeString(dir.resolve("depesche.toml"), "data_dir = \"data\"\n");
    }

    /** `depesche queue ARGS --config FILE`, through Main as from the shell. */
    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("queue"));
        all.addAll(List.of(args));
        all.addAll(List.of("--config", config.toString()));
        out.reset();
        err.reset();
        return new Main(InputStream.nullInputStream(), out, err, Clock.systemUTC()).run(all.toArray(String[]::new));
    }

    private FileQueue queue() throws IOException {
        return new FileQueue(dir.resolve("data/queue"), 0, Clock.systemUTC());
    }

    private static QueuedMessage commit(Queue q, String sender, String... rcpts) throws IOException {
        return commitWithDemand(q, TransportDemand.NONE, sender, rcpts);
    }

    private static QueuedMessage commitWithDemand(Queue q, TransportDemand demand, String sender, String... rcpts) throws IOException {
        return commitReceivedAt(q, T0, demand, sender, rcpts);
    }

    /** A runner on the system clock expires a message received at T0 once T0 is older than the queue lifetime. */
    private static QueuedMessage commitReceivedNow(Queue q, String sender, String... rcpts) throws IOException {
        return commitReceivedAt(q, Instant.now(), TransportDemand.NONE, sender, rcpts);
    }

    private static QueuedMessage commitReceivedAt(Queue q, Instant receivedAt, TransportDemand demand, String sender,
                                                  String... rcpts) throws IOException {
        Envelope env = new Envelope(Optional.ofNullable(sender).map(MailAddress::parse),
                List.of(rcpts).stream().map(a -> new Recipient(MailAddress.parse(a), MailAddress.parse(a))).toList(),
                receivedAt, "cidcidcidcid", "192.0.2.7", new TlsInfo("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                Optional.of("alice@example.org"), false, BodyType.EIGHT_BIT_MIME);
        try (Queue.Incoming in = q.begin()) {
            in.content().write("Subject: hi\r\n\r\nhello\r\n".getBytes());
            return in.commit(env.withDemand(demand));
        }
    }

    @Test
    void listOnAnEmptyQueueSaysSo() {
        assertThat(run("list")).isZero();
        assertThat(out.toString()).isEqualTo("The queue is empty.\n");
    }

    @Test
    void listShowsOneRowPerMessageUnderAHeader() throws Exception {
        String first;
        String second;
        try (FileQueue q = queue()) {
            first = commit(q, "alice@example.org", "bob@example.com").id();
            Thread.sleep(2);
            second = commit(q, null, "bob@example.com", "carol@example.com").id();
        }
        assertThat(run("list")).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("ID").contains("RECEIVED (UTC)", "SIZE", "SENDER", "PENDING", "NEXT ATTEMPT (UTC)");
        assertThat(lines.get(1)).startsWith(first).contains("2026-11-28 12:00:00", "<alice@example.org>", "1 of 1");
        assertThat(lines.get(2)).startsWith(second).contains("<>", "2 of 2");
        assertThat(lines.get(3)).isEqualTo("2 messages");
    }

    @Test
    void showPrintsTheEnvelopeTheRecipientStatesAndTheAttempts() throws Exception {
        String id;
        try (FileQueue q = queue()) {
            QueuedMessage m = commit(q, "alice@example.org", "bob@example.com", "carol@example.com");
            id = m.id();
            q.update(m.record(0, T0.plusSeconds(5), Courier.Result.delivered("stored in mailbox bob@example.com"))
                    .record(1, T0.plusSeconds(5), Courier.Result.deferred("mailbox carol@example.com not writable"))
                    .schedule(1, T0.plusSeconds(65)));
        }
        assertThat(run("show", id)).isZero();
        String shown = out.toString();
        assertThat(shown).contains("Queue id", id)
                .contains("2026-11-28 12:00:00 UTC from 192.0.2.7, connection cidcidcidcid, TLS TLSv1.3 TLS_AES_256_GCM_SHA384")
                .contains("<alice@example.org>").contains("Authenticated  alice@example.org")
                .contains("Size           22 octets").contains("2026-11-28 12:01:05 UTC (after 1 failed attempt)");
        assertThat(shown.lines().filter(l -> l.startsWith("  delivered")).toList()).singleElement()
                .asString().contains("bob@example.com", "stored in mailbox bob@example.com");
        assertThat(shown.lines().filter(l -> l.startsWith("  pending")).toList()).singleElement()
                .asString().contains("carol@example.com", "not writable");
        assertThat(shown).contains("Attempts:").contains("2026-11-28 12:00:05  bob@example.com    delivered");
    }

    @Test
    void showSaysInWordsWhatTheMessageDemandsOfItsHopsAndNothingForAnOrdinaryOne() throws Exception {
        String ordinary;
        String secure;
        String relaxed;
        try (FileQueue q = queue()) {
            ordinary = commit(q, "alice@example.org", "bob@example.com").id();
            secure = commitWithDemand(q, new TransportDemand(true, false, Strength.VERIFIED,
                    "the sender alice@secure.example.org is a secure address"), "alice@example.org", "bob@example.com").id();
            relaxed = commitWithDemand(q, TransportDemand.NONE.withTlsRequiredNo(true), "alice@example.org", "bob@example.com").id();
        }
        assertThat(run("show", ordinary)).isZero();
        assertThat(out.toString()).doesNotContain("Demand");
        assertThat(run("show", secure)).isZero();
        assertThat(out.toString().lines().toList()).contains(
                "Demand         REQUIRETLS: the sender asked for it; every hop must be authenticated TLS and offer REQUIRETLS",
                "               authenticated TLS at every hop, because the sender alice@secure.example.org is a secure address");
        assertThat(run("show", relaxed)).isZero();
        assertThat(out.toString()).contains("Demand         TLS-Required: No: the sender asks that DANE and MTA-STS failures not stop it");
    }

    @Test
    void showPrintsTheMxIpTlsAuthenticationAndReplyOfRemoteAttempts() throws Exception {
        String id;
        try (FileQueue q = queue()) {
            QueuedMessage m = commit(q, "alice@example.org", "bob@example.com");
            id = m.id();
            Courier.Hop hop = new Courier.Hop("mx.example.com", "192.0.2.25", "TLSv1.3", "TLS_AES_128_GCM_SHA256",
                    "dane-ee", "451 4.3.0 try later");
            q.update(m.record(0, T0.plusSeconds(5), Courier.Result.deferred("mx.example.com [192.0.2.25] said: 451 4.3.0 try later")
                    .withHop(hop)).schedule(1, T0.plusSeconds(65)));
        }
        try (FileQueue q = queue()) {
            assertThat(q.get(id).orElseThrow().attempts().getFirst().hop().authentication()).isEqualTo("dane-ee");
        }
        assertThat(run("show", id)).isZero();
        assertThat(out.toString()).contains("VIA").contains(
                "mx.example.com [192.0.2.25] TLSv1.3 TLS_AES_128_GCM_SHA256, auth dane-ee, reply \"451 4.3.0 try later\"");
    }

    @Test
    void anUnknownIdGivesOneLineAndExitCode2() {
        assertThat(run("show", "0000000000000000")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("depesche: no message with id 0000000000000000 in the queue\n");
        assertThat(out.toString()).isEmpty();

        assertThat(run("retry", "../../etc/passwd")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("depesche: no message with id ../../etc/passwd in the queue\n");
        assertThat(run("delete", "nope")).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(1);
    }

    @Test
    void aMissingConfigFileGivesOneLineAndExitCode2() throws IOException {
        Files.delete(config);
        assertThat(run("list")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(config + ": file not found\n");
    }

    @Test
    void withoutAServerDeleteRemovesTheMessage() throws Exception {
        String id;
        try (FileQueue q = queue()) {
            id = commit(q, "alice@example.org", "bob@example.com").id();
        }
        assertThat(run("delete", id)).isZero();
        assertThat(out.toString()).isEqualTo("Deleted " + id + ".\n");
        try (FileQueue q = queue()) {
            assertThat(q.get(id)).isEmpty();
        }
    }

    @Test
    void withoutAServerRetrySaysWhenTheMessageWillGo() throws Exception {
        String id;
        try (FileQueue q = queue()) {
            QueuedMessage m = commit(q, "alice@example.org", "bob@example.com");
            id = m.id();
            q.update(m.schedule(2, Instant.now().plus(Duration.ofHours(2))));
        }
        assertThat(run("retry", id)).isZero();
        assertThat(out.toString()).contains("No server is running").contains(id);
        try (FileQueue q = queue()) {
            assertThat(q.get(id).orElseThrow().nextAttempt()).isBefore(Instant.now().plusSeconds(1));
        }
    }

    @Test
    void withARunningServerRetryIsHandedToItAndTheMessageDelivered() throws Exception {
        Path mail = dir.resolve("data/mail");
        Path obstacle = Files.writeString(Files.createDirectories(mail.resolve("example.com")).resolve("bob"), "x");
        try (FileQueue q = queue();
             QueueRunner runner = new QueueRunner(q, new LocalCourier(new MaildirStore(mail, "mx")),
                     new Config.Queue(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5), 2),
                     Clock.systemUTC())) {
            runner.start();
            QueuedMessage m = commitReceivedNow(q, "alice@example.org", "bob@example.com");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (q.get(m.id()).orElseThrow().deferrals() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
            Files.delete(obstacle);

            assertThat(run("retry", m.id())).isZero();
            assertThat(out.toString()).isEqualTo("The running server took the retry request for " + m.id() + ".\n");
            while (q.get(m.id()).isPresent() && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(q.get(m.id())).isEmpty();
            assertThat(mail.resolve("example.com/bob/new")).isNotEmptyDirectory();
        }
    }
}
