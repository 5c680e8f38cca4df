package org.depesche.queue;

import org.depesche.testsupport.SettableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.queue.TestMessages.BODY;
import static org.depesche.queue.TestMessages.await;
import static org.depesche.queue.TestMessages.commit;
import static org.depesche.queue.TestMessages.envelope;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.depesche.config.Config;
import org.depesche.mail.MailAddress;
import org.depesche.store.MaildirStore;
import org.depesche.testsupport.ForwardingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueRunnerTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final Config.Queue SETTINGS =
            new Config.Queue(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1), 4);

    @TempDir
    Path data;

    private final SettableClock clock = new SettableClock(T0);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ConcurrentLinkedQueue<QueuedMessage> done = new ConcurrentLinkedQueue<>();

    private FileQueue queue() throws IOException {
        FileQueue q = new FileQueue(data.resolve("queue"), 0, clock);
        open.add(q);
        return q;
    }

    private MaildirStore store() {
        return new MaildirStore(data.resolve("mail"), "mx.example.com", clock);
    }

    private QueueRunner start(Queue q, Courier courier, Config.Queue settings) {
        QueueRunner r = new QueueRunner(q, courier, settings, clock);
        open.add(0, r);
        r.onDone(done::add);
        r.start();
        return r;
    }

    private QueueRunner start(FileQueue q) {
        return start(q, new LocalCourier(store()), SETTINGS);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    private List<Path> mailIn(String domain, String user) throws IOException {
        Path dir = data.resolve("mail").resolve(domain).resolve(user).resolve("new");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** Where bob's Maildir belongs, a plain file: every delivery to bob fails until it is removed. */
    private Path breakBobsMailbox() throws IOException {
        Path domain = Files.createDirectories(data.resolve("mail/example.com"));
        return Files.writeString(domain.resolve("bob"), "not a directory");
    }

    private boolean quietlyIn(Queue q, String id) {
        try {
            return q.get(id).isPresent();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCommittedMessageIsDeliveredAtOnceWithReturnPathAndLeavesTheQueue() throws Exception {
        FileQueue q = queue();
        start(q);
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        // The envelope goes first and the content file just after (a crash between leaves only a leftover).
        await(() -> !quietlyIn(q, m.id()) && isEmpty(data.resolve("queue/spool")));

        List<Path> files = mailIn("example.com", "bob");
        assertThat(files).hasSize(1);
        assertThat(Files.readString(files.getFirst())).isEqualTo(
                "Return-Path: <alice@example.org>\nDelivered-To: bob@example.com\n" + BODY.replace("\r\n", "\n"));
        assertThat(files.getFirst().getFileName().toString()).contains("." + m.id() + "-0.mx.example.com,S=");
        assertThat(data.resolve("queue/spool")).isEmptyDirectory();
        assertThat(done).singleElement().satisfies(d -> assertThat(d.attempts()).singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo(Courier.Outcome.DELIVERED)));
    }

    @Test
    void theNullSenderBecomesAnEmptyReturnPath() throws Exception {
        FileQueue q = queue();
        start(q);
        QueuedMessage m = commit(q, envelope(T0, null, "bob@example.com"), BODY);
        await(() -> !quietlyIn(q, m.id()));
        assertThat(Files.readString(mailIn("example.com", "bob").getFirst())).startsWith("Return-Path: <>\n");
    }

    @Test
    void aMessageForTwoMailboxesIsStoredOnceInEach() throws Exception {
        FileQueue q = queue();
        start(q);
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com", "carol@example.org"), BODY);
        await(() -> !quietlyIn(q, m.id()));
        assertThat(mailIn("example.com", "bob")).hasSize(1);
        assertThat(mailIn("example.org", "carol")).hasSize(1);
        assertThat(Files.readString(mailIn("example.org", "carol").getFirst())).contains("Delivered-To: carol@example.org\n");
    }

    @Test
    void twoRecipientsResolvingToOneMailboxGetOneCopy() throws Exception {
        FileQueue q = queue();
        start(q);
        Envelope env = envelope(T0, "alice@example.org", "bob@example.com");
        env = new Envelope(env.sender(), List.of(env.recipients().getFirst(),
                new Recipient(MailAddress.parse("postmaster@example.com"), MailAddress.parse("Bob@example.com"))),
                T0, env.connectionId(), env.peerAddress(), env.tls(), env.authenticatedUser(), false, env.bodyType());
        QueuedMessage m = commit(q, env, BODY);
        await(() -> !quietlyIn(q, m.id()));
        assertThat(mailIn("example.com", "bob")).hasSize(1);
    }

    @Test
    void aFailedDeliveryIsRetriedAfterTheBackoffAndThenSucceeds() throws Exception {
        Path obstacle = breakBobsMailbox();
        FileQueue q = queue();
        start(q);
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com", "carol@example.org"), BODY);
        await(() -> q.get(m.id()).map(s -> !s.attempts().isEmpty()).orElse(false));

        QueuedMessage deferred = q.get(m.id()).orElseThrow();
        assertThat(deferred.pending()).containsExactly(0);
        assertThat(deferred.states().get(1).state()).isEqualTo(QueuedMessage.State.DELIVERED);
        assertThat(deferred.states().get(0).detail()).contains("not writable");
        assertThat(deferred.deferrals()).isEqualTo(1);
        assertThat(deferred.nextAttempt()).isEqualTo(T0.plus(SETTINGS.minBackoff()));
        assertThat(mailIn("example.org", "carol")).hasSize(1);

        Files.delete(obstacle);
        clock.advance(SETTINGS.minBackoff());
        await(() -> !quietlyIn(q, m.id()));
        assertThat(mailIn("example.com", "bob")).hasSize(1);
        assertThat(mailIn("example.org", "carol")).hasSize(1);
        assertThat(done).singleElement().satisfies(d -> assertThat(d.attempts())
                .extracting(a -> a.recipient().localPart() + ":" + a.outcome())
                .containsExactly("bob:DEFERRED", "carol:DELIVERED", "bob:DELIVERED"));
    }

    @Test
    void theBackoffDoublesFromMinimumToMaximum() {
        QueueRunner r = new QueueRunner(null, null, SETTINGS, clock);
        assertThat(List.of(1, 2, 3, 4, 5, 6, 40).stream().map(r::backoff).toList()).containsExactly(
                Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofMinutes(8),
                Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(10));
    }

    @Test
    void aMessageStillUndeliverableAfterItsLifetimeIsGivenUpAsExpired() throws Exception {
        breakBobsMailbox();
        FileQueue q = queue();
        start(q);
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        await(() -> q.get(m.id()).map(s -> s.deferrals() == 1).orElse(false));
        for (int i = 0; i < 12 && quietlyIn(q, m.id()); i++) {
            clock.advance(SETTINGS.maxBackoff());
            QueuedMessage before = q.get(m.id()).orElse(null);
            if (before == null) break;
            // The history keeps the first and the last few attempts: a new one is the one at a later time.
            await(() -> q.get(m.id()).map(s -> s.attempts().getLast().at().isAfter(before.attempts().getLast().at()))
                    .orElse(true));
        }
        assertThat(q.get(m.id())).isEmpty();
        QueuedMessage last = done.stream().filter(d -> d.id().equals(m.id())).findFirst().orElseThrow();
        assertThat(last.states().getFirst().state()).isEqualTo(QueuedMessage.State.FAILED);
        assertThat(last.states().getFirst().detail()).startsWith("expired");
        assertThat(last.attempts().getLast().at()).isEqualTo(T0.plus(SETTINGS.maxLifetime()));
        assertThat(mailIn("example.com", "bob")).isEmpty();
    }

    @Test
    void aRestartFindsDeliveriesMadeBeforeTheCrashAndDoesNotRepeatThem() throws Exception {
        FileQueue q = queue();
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com", "carol@example.org"), BODY);
        // The crash: bob's copy reached the Maildir, but the queue still says pending for both.
        store().deliver(m.mailbox(0), LocalCourier.deliveryKey(m, 0),
                new ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8)));
        assertThat(q.get(m.id()).orElseThrow().pending()).containsExactly(0, 1);

        start(q);
        await(() -> !quietlyIn(q, m.id()));
        assertThat(mailIn("example.com", "bob")).hasSize(1);
        assertThat(mailIn("example.org", "carol")).hasSize(1);
        assertThat(done).singleElement().satisfies(d -> assertThat(d.attempts())
                .extracting(QueuedMessage.Attempt::detail)
                .containsExactly("found in mailbox after restart, not stored again", "stored in mailbox carol@example.org"));
    }

    @Test
    void aRecipientWhoseMailboxCannotBeCheckedAfterARestartIsDeferredNotDeliveredBlindly() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger deliveries = new AtomicInteger();
        Courier courier = new Courier() {
            @Override
            public List<Result> deliver(QueuedMessage message, List<Integer> recipients, Content content) {
                deliveries.incrementAndGet();
                return recipients.stream().map(i -> Result.delivered("stored")).toList();
            }

            @Override
            public boolean alreadyDelivered(QueuedMessage message, int recipient) throws IOException {
                if (checks.incrementAndGet() == 1) throw new IOException("mailbox unreadable");
                return true;
            }
        };
        FileQueue q = queue();
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        start(q, courier, SETTINGS);
        await(() -> q.get(m.id()).map(s -> s.deferrals() == 1).orElse(false));
        assertThat(q.get(m.id()).orElseThrow().states().getFirst().detail()).contains("mailbox unreadable");

        clock.advance(SETTINGS.minBackoff());
        await(() -> !quietlyIn(q, m.id()));
        assertThat(checks.get()).isEqualTo(2);
        assertThat(deliveries.get()).isZero();
        assertThat(done).singleElement().satisfies(d -> assertThat(d.states().getFirst().detail())
                .isEqualTo("found in mailbox after restart, not stored again"));
    }

    @Test
    void messagesFoundAtStartAreDeliveredAndLeftoversRemoved() throws Exception {
        FileQueue q = queue();
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        Files.writeString(data.resolve("queue/spool/0000000000000009.msg"), "never acknowledged");
        start(q);
        // The envelope goes first when a finished message is removed; the content file follows it.
        await(() -> !quietlyIn(q, m.id()) && isEmpty(data.resolve("queue/spool")));
        assertThat(mailIn("example.com", "bob")).hasSize(1);
        assertThat(data.resolve("queue/spool")).isEmptyDirectory();
    }

    @Test
    void aRetryRequestInTheControlDirectoryIsServedAtOnce() throws Exception {
        Path obstacle = breakBobsMailbox();
        FileQueue q = queue();
        start(q);
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        await(() -> q.get(m.id()).map(s -> s.deferrals() == 1).orElse(false));
        Files.delete(obstacle);

        q.request(ControlRequest.retry(m.id()));
        await(() -> !quietlyIn(q, m.id()));
        assertThat(mailIn("example.com", "bob")).hasSize(1);
        assertThat(q.isPending(ControlRequest.retry(m.id()))).isFalse();
    }

    @Test
    void aDeleteRequestInTheControlDirectoryRemovesTheMessageUndelivered() throws Exception {
        Path obstacle = breakBobsMailbox();
        FileQueue q = queue();
        QueueRunner runner = start(q);
        QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        await(() -> q.get(m.id()).map(s -> s.deferrals() == 1).orElse(false));
        Files.delete(obstacle);

        q.request(ControlRequest.delete(m.id()));
        await(() -> !q.isPending(ControlRequest.delete(m.id())) && !quietlyIn(q, m.id())
                && isEmpty(data.resolve("queue/spool")));
        clock.advance(Duration.ofDays(1));
        assertThat(runner.retry(m.id())).isFalse();
        assertThat(data.resolve("queue/spool")).isEmptyDirectory();
        assertThat(mailIn("example.com", "bob")).isEmpty();
    }

    @Test
    void noMoreThanTheConfiguredNumberOfWorkersDeliverAtOnce() throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch twoIn = new CountDownLatch(2);
        LocalCourier local = new LocalCourier(store());
        Courier counting = (message, recipients, content) -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            twoIn.countDown();
            try {
                twoIn.await(); // make sure two really overlap at least once
                return local.deliver(message, recipients, content);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                now.decrementAndGet();
            }
        };
        FileQueue q = queue();
        // Every message goes to one domain: its limit (half the workers by default) is not what is counted here.
        start(q, counting, new Config.Queue(SETTINGS.minBackoff(), SETTINGS.maxBackoff(), SETTINGS.maxLifetime(), 2, 2));
        for (int i = 0; i < 12; i++) commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        await(() -> q.list().isEmpty());
        assertThat(mailIn("example.com", "bob")).hasSize(12);
        assertThat(most.get()).isEqualTo(2);
    }

    /**
     * Finding 6 of issue 8: the bounce was built while the runner held the
     * monitor that every commit needs to schedule its message, so a hostile
     * MX's slow bounce held up the 250 of unrelated inbound mail. Here the
     * notice waits until another message has been committed: it can only
     * return "committed meanwhile" if the commit did not need to wait for it.
     */
    @Test
    void aMessageIsCommittedWhileTheNoticeOfAnotherIsStillBeingMade() throws Exception {
        FileQueue q = queue();
        CountDownLatch noticeStarted = new CountDownLatch(1);
        CountDownLatch otherCommitted = new CountDownLatch(1);
        AtomicBoolean committedMeanwhile = new AtomicBoolean();
        QueueRunner r = new QueueRunner(q, new LocalCourier(store()), SETTINGS, clock);
        open.add(0, r);
        QueuedMessage first = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
        r.onDone(m -> {
            if (!m.id().equals(first.id())) return;
            noticeStarted.countDown();
            try {
                committedMeanwhile.set(otherCommitted.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        r.start();
        assertThat(noticeStarted.await(30, TimeUnit.SECONDS)).isTrue();

        QueuedMessage other = commit(q, envelope(T0, "alice@example.org", "carol@example.com"), BODY);
        otherCommitted.countDown();
        await(() -> !quietlyIn(q, first.id()) && !quietlyIn(q, other.id()));
        assertThat(committedMeanwhile).as("the commit did not wait for the notice").isTrue();
        assertThat(mailIn("example.com", "carol")).hasSize(1);
    }

    /**
     * Issue 9: the runner removed a deleted message from the queue while
     * holding the monitor that every commit needs to schedule its message,
     * so a slow disk under one removal held up the 250 of all inbound mail.
     * Here the removal of the deleted message does not return until the end
     * of the test: another message can only be committed and delivered
     * meanwhile if the removal runs outside the monitor.
     */
    @Test
    void aMessageIsCommittedAndDeliveredWhileTheRemovalOfAnotherIsStillOnTheDisk() throws Exception {
        breakBobsMailbox();
        CountDownLatch removing = new CountDownLatch(1);
        CountDownLatch diskDone = new CountDownLatch(1);
        AtomicReference<String> slow = new AtomicReference<>();
        Queue q = new ForwardingQueue(queue()) {
            @Override
            public void remove(String id) throws IOException {
                if (id.equals(slow.get())) {
                    removing.countDown();
                    try {
                        diskDone.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.remove(id);
            }
        };
        QueueRunner runner = start(q, new LocalCourier(store()), SETTINGS);
        try {
            QueuedMessage deleted = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
            slow.set(deleted.id());
            await(() -> q.get(deleted.id()).map(s -> s.deferrals() == 1).orElse(false));
            Thread.ofVirtual().start(() -> runner.delete(deleted.id()));
            assertThat(removing.await(30, TimeUnit.SECONDS)).as("the removal reached the disk").isTrue();

            CompletableFuture<QueuedMessage> other = CompletableFuture.supplyAsync(() -> {
                try {
                    return commit(q, envelope(T0, "alice@example.org", "carol@example.org"), BODY);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            QueuedMessage delivered = other.get(30, TimeUnit.SECONDS);
            await(() -> !quietlyIn(q, delivered.id()));
            assertThat(mailIn("example.org", "carol")).hasSize(1);
            assertThat(runner.ids()).as("the runner answers while the removal waits").containsExactly();
            assertThat(removing.getCount()).isZero();
            assertThat(diskDone.getCount()).as("the removal is still on the disk").isOne();
        } finally {
            diskDone.countDown();
        }
        await(() -> isEmpty(data.resolve("queue/spool")));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
