package org.depesche.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MailboxStore} must do, read back through the interface
 * alone: append, what a reader sees, and that a message is seen whole or not
 * at all. One subclass per implementation; what only its files show (paths,
 * modes, names) lives in the subclass.
 */
abstract class MailboxStoreContractTest {
    static final MailAddress BOB = MailAddress.parse("Bob@Example.COM");
    static final MailAddress CAROL = MailAddress.parse("carol@example.org");
    static final String MESSAGE = "Return-Path: <ann@sender.test>\r\nDelivered-To: bob@example.com\r\n"
            + "Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\nFrom: J\u00f6rg <j\u00f6rg@b\u00fccher.example>\r\n\r\n"
            + "line one\r\n\r\n..dot-stuffing is gone by now, so this line starts with two dots\r\n"
            + "gr\u00fc\u00dfe aus K\u00f6ln\r\n" + "x".repeat(998) + "\r\n";

    /** A store over fresh, empty storage; the same storage for every call within one test. */
    abstract MailboxStore store() throws Exception;

    static InputStream crlf(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    static String readBack(MailboxStore store, MailAddress mailbox, String key) throws IOException {
        Optional<InputStream> in = store.open(mailbox, key);
        assertThat(in).as("message %s in %s", key, mailbox).isPresent();
        try (InputStream s = in.get()) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aDeliveredMessageReadsBackByItsKeyExactlyAsDelivered() throws Exception {
        MailboxStore store = store();
        store.deliver(BOB, "q1-0", crlf(MESSAGE));
        assertThat(readBack(store, BOB, "q1-0")).isEqualTo(MESSAGE);
    }

    /** Line ends falling on every kind of buffer boundary, on the way in and on the way out. */
    @Test
    void aMessageOfSeveralMegabytesReadsBackWhole() throws Exception {
        StringBuilder m = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; m.length() < 3_000_000; i++) m.append("line ").append(i).append(' ').append("y".repeat(i % 97)).append("\r\n");
        MailboxStore store = store();
        store.deliver(BOB, "big-0", crlf(m.toString()));
        assertThat(readBack(store, BOB, "big-0")).isEqualTo(m.toString());
    }

    @Test
    void aMessageIsFoundOnlyUnderItsOwnKey() throws Exception {
        MailboxStore store = store();
        assertThat(store.contains(BOB, "q1-1")).isFalse();
        assertThat(store.open(BOB, "q1-1")).isEmpty();
        store.deliver(BOB, "q1-1", crlf("x\r\n"));
        assertThat(store.contains(BOB, "q1-1")).isTrue();
        for (String similar : List.of("q1-10", "q1", "1-1", "q1-")) {
            assertThat(store.contains(BOB, similar)).as(similar).isFalse();
            assertThat(store.open(BOB, similar)).as(similar).isEmpty();
        }
    }

    @Test
    void eachMailboxSeesOnlyItsOwnMessages() throws Exception {
        MailboxStore store = store();
        store.deliver(BOB, "k-0", crlf("To: bob\r\n\r\nfor bob\r\n"));
        store.deliver(CAROL, "k-1", crlf("To: carol\r\n\r\nfor carol\r\n"));
        assertThat(store.contains(CAROL, "k-0")).isFalse();
        assertThat(store.open(BOB, "k-1")).isEmpty();
        assertThat(readBack(store, BOB, "k-0")).isEqualTo("To: bob\r\n\r\nfor bob\r\n");
        assertThat(readBack(store, CAROL, "k-1")).isEqualTo("To: carol\r\n\r\nfor carol\r\n");
    }

    /** Each stream stops half-way until both deliveries are under way, so the two writes overlap. */
    @Test
    void twoMessagesDeliveredToOneMailboxAtOnceAreBothStoredWhole() throws Exception {
        MailboxStore store = store();
        String first = "Subject: one\r\n\r\n" + "1".repeat(200_000) + "\r\n";
        String second = "Subject: two\r\n\r\n" + "2".repeat(200_000) + "\r\n";
        CyclicBarrier bothStarted = new CyclicBarrier(2);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (String[] m : new String[][] {{"a-0", first}, {"b-0", second}}) {
                done.add(threads.submit(() -> {
                    store.deliver(BOB, m[0], new PausingInput(crlf(m[1]), 100_000, bothStarted));
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
        }
        assertThat(readBack(store, BOB, "a-0")).isEqualTo(first);
        assertThat(readBack(store, BOB, "b-0")).isEqualTo(second);
    }

    @Test
    void nothingOfAMessageIsVisibleBeforeDeliverReturns() throws Exception {
        MailboxStore store = store();
        List<Boolean> seen = new ArrayList<>();
        InputStream watching = new FilterInputStream(crlf(MESSAGE)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, Math.min(len, 16));
                // Asked half-way through the message and again once it has all been read.
                seen.add(store.contains(BOB, "k-0"));
                seen.add(store.open(BOB, "k-0").isPresent());
                return n;
            }
        };
        store.deliver(BOB, "k-0", watching);
        assertThat(seen).hasSizeGreaterThan(4).containsOnly(false);
        assertThat(store.contains(BOB, "k-0")).isTrue();
    }

    @Test
    void aDeliveryThatFailsHalfWayLeavesNothingAReaderSeesAndCanBeRepeated() throws Exception {
        MailboxStore store = store();
        InputStream failing = new FilterInputStream(crlf(MESSAGE)) {
            private int total;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (total > 40) throw new IOException("queue file unreadable");
                int n = super.read(b, off, Math.min(len, 32));
                total += Math.max(n, 0);
                return n;
            }
        };
        assertThatThrownBy(() -> store.deliver(BOB, "k-0", failing)).isInstanceOf(IOException.class)
                .hasMessage("queue file unreadable");
        assertThat(store.contains(BOB, "k-0")).isFalse();
        assertThat(store.open(BOB, "k-0")).isEmpty();

        store.deliver(BOB, "k-0", crlf(MESSAGE));
        assertThat(readBack(store, BOB, "k-0")).isEqualTo(MESSAGE);
    }

    @Test
    void aKeyThatIsNotAsciiLettersDigitsDashOrUnderscoreIsRefused() throws Exception {
        MailboxStore store = store();
        for (String key : new String[] {"", "a.b", "a/b", "../k", "k\u00e9", "a b"}) {
            assertThatThrownBy(() -> store.deliver(BOB, key, crlf("x\r\n"))).as("[%s]", key)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.contains(BOB, key)).as("[%s]", key).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.open(BOB, key)).as("[%s]", key).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Gives {@code pauseAt} bytes, then waits at {@code barrier} once before giving the rest. */
    private static final class PausingInput extends FilterInputStream {
        private final int pauseAt;
        private final CyclicBarrier barrier;
        private int given;

        PausingInput(InputStream in, int pauseAt, CyclicBarrier barrier) {
            super(in);
            this.pauseAt = pauseAt;
            this.barrier = barrier;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (given == pauseAt) {
                try {
                    barrier.await(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException("the other delivery never got under way", e);
                }
            }
            int n = super.read(b, off, given < pauseAt ? Math.min(len, pauseAt - given) : len);
            if (n > 0) given += n;
            return n;
        }
    }
}
