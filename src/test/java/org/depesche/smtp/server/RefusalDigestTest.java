package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.depesche.queue.FileQueue;
import org.depesche.queue.QueuedMessage;
import org.depesche.mail.MailAddress;
import org.depesche.store.FileRefusalStore;
import org.depesche.store.RefusalStore;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owner of a secure address learns who was refused, in at most one queued digest per hour. */
class RefusalDigestTest {
    private static final MailAddress ALICE = MailAddress.parse("alice@example.org");
    private static final MailAddress BOB = MailAddress.parse("bob@example.org");

    @TempDir
    Path dir;
    private final SettableClock clock = new SettableClock();
    private FileQueue queue;
    private RefusalDigest digest;

    @BeforeEach
    void setUp() throws Exception {
        queue = new FileQueue(dir.resolve("queue"), 0, clock);
        digest = new RefusalDigest(queue, "mx.example.org", clock, new FileRefusalStore(dir.resolve("refusals")));
    }

    @AfterEach
    void tearDown() {
        queue.close();
    }

    private RefusalStore.Refusal refusal(String sender) {
        return new RefusalStore.Refusal(clock.instant(), sender, "alice@secure.example.org", "192.0.2.7", "relay.remote.test",
                "it did not use STARTTLS (no encryption)");
    }

    private String content(QueuedMessage m) throws Exception {
        try (InputStream in = queue.openContent(m.id())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private List<QueuedMessage> to(MailAddress owner) throws Exception {
        return queue.list().stream().filter(m -> m.envelope().recipients().getFirst().mailbox().equals(owner)).toList();
    }

    private String digestMentioning(String text) throws Exception {
        for (QueuedMessage m : to(ALICE)) {
            String c = content(m);
            if (c.contains(text)) return c;
        }
        throw new AssertionError("no digest mentions " + text);
    }

    @Test
    void theFirstRefusalIsQueuedAtOnceFromTheNullSenderToTheOwnersMailboxWithSenderTimePeerAndReason() throws Exception {
        digest.record(List.of(ALICE), refusal("carol@remote.test"));
        QueuedMessage m = queue.list().getFirst();
        assertThat(m.envelope().sender()).isEmpty();
        assertThat(m.envelope().recipients()).extracting(r -> r.mailbox()).containsExactly(ALICE);
        assertThat(content(m)).contains("To: <alice@example.org>\r\n", "Auto-Submitted: auto-generated\r\n",
                "Subject: 1 message was refused because the sender did not use encryption\r\n",
                "- 2026-01-01 00:00:00 UTC: from <carol@remote.test> to <alice@secure.example.org>\r\n"
                        + "  server relay.remote.test [192.0.2.7]: it did not use STARTTLS (no encryption)\r\n");
    }

    @Test
    void furtherRefusalsWithinTheHourWaitAndThenComeTogetherInOneDigest() throws Exception {
        digest.record(List.of(ALICE), refusal("carol@remote.test"));
        clock.advance(Duration.ofMinutes(10));
        digest.record(List.of(ALICE), refusal("dave@remote.test"));
        clock.advance(Duration.ofMinutes(10));
        digest.record(List.of(ALICE), refusal("erin@remote.test"));
        assertThat(to(ALICE)).hasSize(1);
        clock.advance(Duration.ofMinutes(39));
        digest.flushDue();
        assertThat(to(ALICE)).hasSize(1);
        clock.advance(Duration.ofMinutes(1));
        digest.flushDue();
        List<QueuedMessage> digests = to(ALICE);
        assertThat(digests).hasSize(2);
        String second = digestMentioning("dave@");
        assertThat(second).contains("Subject: 2 messages were refused", "from <dave@remote.test>", "from <erin@remote.test>")
                .doesNotContain("carol@");
        clock.advance(Duration.ofHours(2));
        digest.flushDue();
        assertThat(to(ALICE)).hasSize(2); // nothing new: no empty digest
    }

    @Test
    void eachAccountBehindARefusedAliasGetsItsOwnDigest() throws Exception {
        digest.record(List.of(ALICE, BOB), refusal("carol@remote.test"));
        assertThat(to(ALICE)).hasSize(1);
        assertThat(to(BOB)).hasSize(1);
    }

    @Test
    void aFloodOfRefusalsListsAtMostFiftyAndCountsTheRest() throws Exception {
        digest.record(List.of(ALICE), refusal("first@remote.test"));
        for (int i = 0; i < RefusalDigest.MAX_LISTED + 7; i++) digest.record(List.of(ALICE), refusal("s" + i + "@remote.test"));
        clock.advance(RefusalDigest.INTERVAL);
        digest.flushDue();
        assertThat(to(ALICE)).hasSize(2);
        String flood = digestMentioning("s0@");
        assertThat(flood).contains("Subject: 57 messages were refused", "and 7 more not listed.")
                .contains("from <s49@remote.test>").doesNotContain("from <s50@remote.test>");
    }

    @Test
    void refusalsPastTheListedFiftyCostNoDiskWriteButAreStillCounted() throws Exception {
        digest.record(List.of(ALICE), refusal("first@remote.test")); // sent at once
        for (int i = 0; i < RefusalDigest.MAX_LISTED; i++) digest.record(List.of(ALICE), refusal("s" + i + "@remote.test"));
        java.nio.file.Path file;
        try (var files = java.nio.file.Files.list(dir.resolve("refusals"))) {
            file = files.toList().getFirst();
        }
        String full = java.nio.file.Files.readString(file);
        java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));
        for (int i = 0; i < 500; i++) digest.record(List.of(ALICE), refusal("flood" + i + "@remote.test"));
        assertThat(java.nio.file.Files.readString(file)).isEqualTo(full);
        assertThat(java.nio.file.Files.getLastModifiedTime(file).toMillis()).isZero();
        clock.advance(RefusalDigest.INTERVAL);
        digest.flushDue();
        assertThat(digestMentioning("s0@")).contains("Subject: 550 messages were refused", "and 500 more not listed.");
    }

    @Test
    void refusalsPendingAtARestartAreSentByTheNextRunWhenTheirHourIsOver() throws Exception {
        digest.record(List.of(ALICE), refusal("carol@remote.test")); // sent at once
        clock.advance(Duration.ofMinutes(5));
        digest.record(List.of(ALICE), refusal("dave@remote.test")); // held back by the rate limit
        digest.record(List.of(BOB), refusal("erin@remote.test"));
        assertThat(to(ALICE)).hasSize(1);

        RefusalDigest restarted = new RefusalDigest(queue, "mx.example.org", clock, new FileRefusalStore(dir.resolve("refusals")));
        restarted.flushDue();
        assertThat(to(ALICE)).as("the hour since the last digest is not over yet").hasSize(1);
        clock.advance(Duration.ofMinutes(55));
        restarted.flushDue();
        assertThat(to(ALICE)).hasSize(2);
        assertThat(digestMentioning("dave@")).contains("Subject: 1 message was refused",
                "- 2026-01-01 00:05:00 UTC: from <dave@remote.test> to <alice@secure.example.org>\r\n"
                        + "  server relay.remote.test [192.0.2.7]: it did not use STARTTLS (no encryption)\r\n");

        clock.advance(Duration.ofHours(1));
        restarted.flushDue(); // nothing left to tell: the accounts are forgotten, on disk too
        try (var left = java.nio.file.Files.list(dir.resolve("refusals"))) {
            assertThat(left.toList()).isEmpty();
        }
    }
}
