package org.depesche.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.depesche.mail.BodyType;
import org.depesche.directory.Directory;
import org.depesche.directory.DirectoryException;
import org.depesche.directory.MemoryDirectory;
import org.depesche.queue.Courier;
import org.depesche.queue.Envelope;
import org.depesche.queue.FileQueue;
import org.depesche.queue.Queue;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports for recipients that expired behind a DANE failure, read back with mime4j. */
class BouncerTest {
    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");

    @TempDir
    Path dir;

    /** Local domain sender.test with the account ann. */
    private static final Directory DIRECTORY = senderTest();

    private static Directory senderTest() {
        MemoryDirectory d = new MemoryDirectory();
        try {
            d.addDomain("sender.test");
            d.addUser("ann@sender.test", "pw".toCharArray());
        } catch (DirectoryException e) {
            throw new IllegalStateException(e);
        }
        return d;
    }

    private static QueuedMessage commit(FileQueue q) throws IOException {
        return commit(q, TransportDemand.NONE);
    }

    private static QueuedMessage commit(FileQueue q, TransportDemand demand) throws IOException {
        try (Queue.Incoming in = q.begin()) {
            in.content().write("From: ann@sender.test\r\nSubject: quarterly report\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            MailAddress bob = MailAddress.parse("bob@example.org");
            return in.commit(new Envelope(Optional.of(MailAddress.parse("ann@sender.test")), List.of(new Recipient(bob, bob)),
                    T0, "cid000000001", "127.0.0.1", TlsInfo.NONE, Optional.of("ann@sender.test"), false,
                    BodyType.SEVEN_BIT).withDemand(demand));
        }
    }

    private static String part(Entity e) throws IOException {
        try (InputStream in = ((SingleBody) e.getBody()).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void anExpiredDaneFailureIsExplainedInWordsWithStatus447AndNoRemoteDiagnostic() throws Exception {
        try (FileQueue q = new FileQueue(dir.resolve("queue"), 0, Clock.systemUTC())) {
            QueuedMessage m = commit(q);
            Courier.Hop hop = new Courier.Hop("mx.example.org", "192.0.2.25", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "none",
                    "tlsa-invalid", "451 4.7.5 TLSA records for mx.example.org do not match the certificate it presented");
            m = m.record(0, T0.plusSeconds(60), Courier.Result.deferred(
                    "TLSA records for mx.example.org do not match the certificate it presented").withHop(hop));
            m = m.record(0, T0.plus(Duration.ofDays(5)), Courier.Result.failed("expired: not delivered within PT120H"));

            Bouncer bouncer = new Bouncer(q, DIRECTORY, "mx.sender.test", Duration.ofDays(5), Clock.systemUTC());
            String id = bouncer.bounce(m).orElseThrow();
            QueuedMessage dsn = q.get(id).orElseThrow();
            assertThat(dsn.envelope().sender()).isEmpty();
            assertThat(dsn.envelope().recipients()).extracting(r -> r.mailbox().toString()).containsExactly("ann@sender.test");

            Message parsed;
            try (InputStream in = q.openContent(id)) {
                parsed = new DefaultMessageBuilder().parseMessage(in);
            }
            List<Entity> parts = ((Multipart) parsed.getBody()).getBodyParts();
            String words = part(parts.get(0)).replace("\r\n    ", " ");
            assertThat(words).contains("could not be delivered").contains("<bob@example.org>:")
                    .contains("It could not be delivered within 5 days.")
                    .contains("The last attempt failed: TLSA records for mx.example.org do not match the certificate it presented")
                    .contains("mx.example.org [192.0.2.25]");
            String status = part(parts.get(1));
            assertThat(status).contains("Action: failed").contains("Status: 4.4.7")
                    .contains("Remote-MTA: dns; mx.example.org").doesNotContain("Diagnostic-Code");
            assertThat(part(parts.get(2))).contains("Subject: quarterly report");
        }
    }

    @Test
    void aMessageWithoutFailedRecipientsBouncesNothing() throws Exception {
        try (FileQueue q = new FileQueue(dir.resolve("queue"), 0, Clock.systemUTC())) {
            QueuedMessage m = commit(q).record(0, T0, Courier.Result.delivered("ok"));
            assertThat(new Bouncer(q, DIRECTORY, "mx.sender.test", Duration.ofDays(5), Clock.systemUTC()).bounce(m)).isEmpty();
            assertThat(q.list()).hasSize(1);
        }
    }

    @Test
    void aReportOnARequireTlsMessageHasNoneOfItsContentAndTravelsWithRequireTlsItself() throws Exception {
        try (FileQueue q = new FileQueue(dir.resolve("queue"), 0, Clock.systemUTC())) {
            QueuedMessage m = commit(q, new TransportDemand(true, false, Strength.PLAINTEXT, ""))
                    .record(0, T0, Courier.Result.failed("5.7.30 Nothing was sent to example.org"));
            String id = new Bouncer(q, DIRECTORY, "mx.sender.test", Duration.ofDays(5), Clock.systemUTC()).bounce(m).orElseThrow();
            QueuedMessage dsn = q.get(id).orElseThrow();
            assertThat(dsn.envelope().demand().requireTls()).isTrue();
            Message parsed;
            try (InputStream in = q.openContent(id)) {
                parsed = new DefaultMessageBuilder().parseMessage(in);
            }
            List<Entity> parts = ((Multipart) parsed.getBody()).getBodyParts();
            assertThat(part(parts.get(1))).contains("Status: 5.7.30");
            assertThat(part(parts.get(2))).contains("From: ann@sender.test").doesNotContain("quarterly").doesNotContain("body");
            assertThat(part(parts.get(0)).replaceAll("\\s+", " ")).contains("sent with REQUIRETLS, so this report contains none of its content");
        }
    }
}
