package org.depesche.queue;

import org.depesche.testsupport.SettableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.queue.TestMessages.BODY;
import static org.depesche.queue.TestMessages.commit;
import static org.depesche.queue.TestMessages.envelope;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import org.depesche.config.Config;
import org.depesche.store.MaildirStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueAdminTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path data;

    private final SettableClock clock = new SettableClock(T0);

    @Test
    void withoutARunningServerDeleteRemovesTheFilesDirectly() throws Exception {
        try (FileQueue q = new FileQueue(data, 0, clock)) {
            QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
            assertThat(new QueueAdmin(q, clock).delete(m.id())).isEqualTo(QueueAdmin.Outcome.DELETED);
            assertThat(q.get(m.id())).isEmpty();
            assertThat(data.resolve("spool")).isEmptyDirectory();
            assertThat(data.resolve("control")).isEmptyDirectory();
        }
    }

    @Test
    void withoutARunningServerRetryMakesTheMessageDueNow() throws Exception {
        try (FileQueue q = new FileQueue(data, 0, clock)) {
            QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
            q.update(m.schedule(3, T0.plus(Duration.ofHours(1))));
            clock.advance(Duration.ofMinutes(5));
            assertThat(new QueueAdmin(q, clock).retry(m.id())).isEqualTo(QueueAdmin.Outcome.RESCHEDULED);
            assertThat(q.get(m.id()).orElseThrow().nextAttempt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        }
    }

    @Test
    void anUnknownIdIsReportedAndNothingIsRequested() throws Exception {
        try (FileQueue q = new FileQueue(data, 0, clock)) {
            QueueAdmin admin = new QueueAdmin(q, clock);
            assertThat(admin.retry("0000000000000000")).isEqualTo(QueueAdmin.Outcome.UNKNOWN_ID);
            assertThat(admin.delete("not-an-id")).isEqualTo(QueueAdmin.Outcome.UNKNOWN_ID);
            assertThat(data.resolve("control")).isEmptyDirectory();
        }
    }

    @Test
    void withARunningServerRetryGoesThroughTheControlDirectoryAndDelivers() throws Exception {
        Path mail = data.resolve("mail");
        Path obstacle = Files.writeString(Files.createDirectories(mail.resolve("example.com")).resolve("bob"), "x");
        try (FileQueue q = new FileQueue(data.resolve("queue"), 0, clock);
             QueueRunner runner = new QueueRunner(q, new LocalCourier(new MaildirStore(mail, "mx", clock)),
                     new Config.Queue(Duration.ofHours(1), Duration.ofHours(2), Duration.ofDays(5), 2), clock)) {
            runner.start();
            QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
            TestMessages.await(() -> q.get(m.id()).map(s -> s.deferrals() == 1).orElse(false));
            Files.delete(obstacle);

            assertThat(new QueueAdmin(q, clock).retry(m.id())).isEqualTo(QueueAdmin.Outcome.SERVER_TOOK_REQUEST);
            TestMessages.await(() -> q.get(m.id()).isEmpty());
            try (Stream<Path> s = Files.list(mail.resolve("example.com/bob/new"))) {
                assertThat(s.count()).isEqualTo(1);
            }
        }
    }
}
