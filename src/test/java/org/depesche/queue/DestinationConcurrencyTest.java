package org.depesche.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.queue.TestMessages.BODY;
import static org.depesche.queue.TestMessages.await;
import static org.depesche.queue.TestMessages.commit;
import static org.depesche.queue.TestMessages.envelope;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.depesche.config.Config;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's per-destination limit: a slow receiver gets its share of workers, not all of them (THREATS T14). */
class DestinationConcurrencyTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    /** Four workers, at most two of them for one destination. */
    private static final Config.Queue SETTINGS =
            new Config.Queue(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1), 4, 2);
    private static final String SLOW = "slow.example";

    @TempDir
    Path data;

    private final SettableClock clock = new SettableClock(T0);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    /**
     * Holds every delivery to slow.example until {@link #open} is called (a
     * tarpit that accepts and then says nothing), delivers the rest at once,
     * and counts what it delivered and how many slow deliveries overlapped.
     */
    private static final class Tarpit implements Courier {
        final CountDownLatch gate = new CountDownLatch(1);
        final Semaphore entered = new Semaphore(0);
        final AtomicInteger inTarpit = new AtomicInteger();
        final AtomicInteger mostInTarpit = new AtomicInteger();
        final Map<String, AtomicInteger> deliveries;

        Tarpit(Map<String, AtomicInteger> deliveries) {
            this.deliveries = deliveries;
        }

        @Override
        public List<Result> deliver(QueuedMessage message, List<Integer> recipients, Content content) {
            boolean slow = recipients.stream().anyMatch(i -> message.mailbox(i).domain().equals(SLOW));
            if (slow) {
                mostInTarpit.accumulateAndGet(inTarpit.incrementAndGet(), Math::max);
                entered.release();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    inTarpit.decrementAndGet();
                    return recipients.stream().map(i -> Result.deferred("interrupted")).toList();
                }
                inTarpit.decrementAndGet();
            }
            for (int i : recipients)
                deliveries.computeIfAbsent(message.id() + " " + message.mailbox(i), k -> new AtomicInteger()).incrementAndGet();
            return recipients.stream().map(i -> Result.delivered("250 2.0.0 ok")).toList();
        }

        void open() {
            gate.countDown();
        }

        void awaitEntered(int n) throws InterruptedException {
            assertThat(entered.tryAcquire(n, 30, TimeUnit.SECONDS)).as("%d deliveries reach the tarpit", n).isTrue();
        }
    }

    private FileQueue queue() throws IOException {
        FileQueue q = new FileQueue(data.resolve("queue"), 0, clock);
        open.add(q);
        return q;
    }

    private QueueRunner start(FileQueue q, Courier courier) {
        QueueRunner r = new QueueRunner(q, courier, SETTINGS, clock);
        open.add(0, r);
        r.start();
        return r;
    }

    private static List<String> commitToSlow(FileQueue q, int count) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) ids.add(commit(q, envelope(T0, "alice@example.org", "bob@" + SLOW), BODY).id());
        return ids;
    }

    private static boolean gone(FileQueue q, String id) throws IOException {
        return q.get(id).isEmpty();
    }

    /** Opens the tarpit; then every message leaves the queue, each recipient got exactly one copy, and the limit held. */
    private static void openAndAwaitEachDeliveredOnce(Tarpit tarpit, FileQueue q, List<String> ids, int recipients)
            throws Exception {
        tarpit.open();
        for (String id : ids) await(() -> gone(q, id));
        assertThat(tarpit.mostInTarpit).hasValue(2);
        assertThat(tarpit.deliveries).hasSize(recipients).allSatisfy((k, n) -> assertThat(n).as(k).hasValue(1));
    }

    @Test
    void sixMessagesToATarpitTakeTwoOfFourWorkersAndMailToAnotherDomainIsDeliveredMeanwhile() throws Exception {
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Tarpit tarpit = new Tarpit(deliveries);
        FileQueue q = queue();
        start(q, tarpit);
        List<String> slow = commitToSlow(q, 6);
        tarpit.awaitEntered(2);

        String other = commit(q, envelope(T0, "alice@example.org", "carol@fast.example"), BODY).id();
        await(() -> gone(q, other));
        assertThat(deliveries).containsOnlyKeys(other + " carol@fast.example");
        assertThat(tarpit.inTarpit).hasValue(2);
        for (String id : slow) assertThat(q.get(id)).isPresent();

        openAndAwaitEachDeliveredOnce(tarpit, q, slow, 7);
    }

    @Test
    void aMessageWaitingForASlotHasNoAttemptAndNoBackoffAndItsOtherDomainsGoAhead() throws Exception {
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Tarpit tarpit = new Tarpit(deliveries);
        FileQueue q = queue();
        start(q, tarpit);
        List<String> ids = new ArrayList<>(commitToSlow(q, 2));
        tarpit.awaitEntered(2);

        String both = commit(q, envelope(T0, "alice@example.org", "dave@" + SLOW, "carol@fast.example"), BODY).id();
        await(() -> q.get(both).orElseThrow().states().get(1).state() == QueuedMessage.State.DELIVERED);
        QueuedMessage waiting = q.get(both).orElseThrow();
        assertThat(waiting.states().getFirst()).isEqualTo(QueuedMessage.RecipientState.PENDING);
        assertThat(waiting.attempts()).singleElement()
                .satisfies(a -> assertThat(a.recipient().toString()).isEqualTo("carol@fast.example"));
        assertThat(waiting.deferrals()).isZero();
        assertThat(waiting.nextAttempt()).isEqualTo(T0);

        ids.add(both);
        openAndAwaitEachDeliveredOnce(tarpit, q, ids, 4);
    }

    @Test
    void theLimitHoldsForTheMessagesARestartedRunnerFindsInTheQueue() throws Exception {
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        FileQueue q = queue();
        List<String> slow = commitToSlow(q, 6); // queued while no runner ran, as after a crash or a stop
        Tarpit tarpit = new Tarpit(deliveries);
        start(q, tarpit);
        tarpit.awaitEntered(2);

        String other = commit(q, envelope(T0, "alice@example.org", "carol@fast.example"), BODY).id();
        await(() -> gone(q, other));
        assertThat(tarpit.inTarpit).hasValue(2);

        openAndAwaitEachDeliveredOnce(tarpit, q, slow, 7);
    }
}
