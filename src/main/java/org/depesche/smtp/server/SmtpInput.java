package org.depesche.smtp.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Our own buffered reader over the socket: it knows what is buffered (to
 * flush pipelined replies only before it blocks, RFC 2920 3.1), can discard
 * the plaintext buffer at STARTTLS (THREATS T11), and bounds every read by a
 * deadline rather than by an idle timeout, so a byte a minute cannot keep a
 * command open forever (RFC 5321 4.5.3.2, THREATS T14). Message data is
 * read against a {@link Pace}: each read within the data timeout, and the
 * whole message at no less than the minimum rate.
 */
final class SmtpInput {

    /** Called before the reader blocks on the socket: the session flushes its buffered replies. */
    interface BeforeBlocking {
        void run() throws IOException;
    }

    /** A command line longer than the limit; the rest of it up to LF has been consumed. */
    static final class LineTooLongException extends IOException {
        LineTooLongException() {
            super("line too long", null);
        }
    }

    /** Message data came slower than the minimum rate; a kind of timeout, answered 421 4.4.2. */
    static final class TooSlowException extends SocketTimeoutException {
        TooSlowException(int minRate) {
            super("message data slower than " + minRate + " octets per second");
        }
    }

    /**
     * The time one message's data may take. RFC 5321 4.5.3.2.5 and 4.5.3.2.6
     * bound each read by the data timeout; a client that trickles a byte
     * just inside it would still hold its connection forever, so the whole
     * message must also arrive within the data timeout plus its size at
     * {@code minRate} octets per second (THREATS T14; Postfix
     * smtpd_min_data_rate). A minRate of 0 leaves only the per-read bound.
     */
    static final class Pace {
        private final Duration timeout;
        private final int minRate;
        private final long startNanos;
        private long octets;

        Pace(Duration timeout, int minRate) {
            this(timeout, minRate, System.nanoTime());
        }

        Pace(Duration timeout, int minRate, long startNanos) {
            this.timeout = timeout;
            this.minRate = minRate;
            this.startNanos = startNanos;
        }

        void count(long n) {
            octets += n;
        }

        /** Nanoseconds left at {@code nowNanos} for the whole message; Long.MAX_VALUE without a minimum rate. */
        long remaining(long nowNanos) {
            if (minRate == 0) return Long.MAX_VALUE;
            double allowed = timeout.toNanos() + octets * 1e9 / minRate; // a double: no overflow for huge chunks
            return (long) Math.min(allowed - (nowNanos - startNanos), Long.MAX_VALUE);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final BeforeBlocking beforeBlocking;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int lim;
    private long deadline;

    SmtpInput(Socket socket, BeforeBlocking beforeBlocking) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.beforeBlocking = beforeBlocking;
    }

    /** True if bytes the client sent are waiting in our buffer. */
    boolean hasBuffered() {
        return pos < lim;
    }

    /** Forgets every buffered byte (RFC 3207 4.2, THREATS T11: nothing sent before TLS is executed inside it). */
    void discardBuffered() {
        pos = lim;
    }

    /**
     * Reads one command line (without its line end) that must arrive within
     * {@code timeout}. A CR before the LF is dropped; a line longer than
     * {@code max} octets is consumed and refused (RFC 5321 4.5.3.1.4).
     * Returns null at end of stream before any byte of the line.
     */
    String readLine(int max, Duration timeout) throws IOException {
        deadline = System.nanoTime() + timeout.toNanos();
        byte[] line = new byte[Math.min(max, 1024)];
        int len = 0;
        boolean tooLong = false;
        while (true) {
            int b = next();
            if (b < 0) {
                if (len == 0 && !tooLong) return null;
                throw new EOFException("connection closed inside a command line");
            }
            if (b == '\n') break;
            if (len + 1 > max - 1) { // room for the LF
                tooLong = true;
                continue;
            }
            if (len == line.length) line = java.util.Arrays.copyOf(line, Math.min(max, line.length * 2));
            line[len++] = (byte) b;
        }
        if (tooLong) throw new LineTooLongException();
        if (len > 0 && line[len - 1] == '\r') len--;
        return new String(line, 0, len, StandardCharsets.UTF_8);
    }

    /** Next octet of message data or -1 at end of stream; every blocking read is bounded by the pace. */
    int readData(Pace pace) throws IOException {
        if (pos >= lim && !fillData(pace)) return -1;
        pace.count(1);
        return buf[pos++] & 0xff;
    }

    /** Reads up to {@code len} octets of a BDAT chunk (RFC 3030 2) within the pace; -1 at end of stream. */
    int readChunk(byte[] dst, int off, int len, Pace pace) throws IOException {
        // Small chunks can arrive with their BDAT commands and never make a read block, so the
        // whole-message deadline is also checked on what is already buffered.
        if (pos < lim && pace.remaining(System.nanoTime()) < 0) throw new TooSlowException(pace.minRate);
        if (pos >= lim && !fillData(pace)) return -1;
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        pace.count(n);
        return n;
    }

    /** Blocks for more data until the sooner of the per-read and the whole-message deadline. */
    private boolean fillData(Pace pace) throws IOException {
        long now = System.nanoTime();
        long perRead = pace.timeout.toNanos();
        long overall = pace.remaining(now);
        deadline = now + Math.max(0, Math.min(perRead, overall));
        try {
            return fill();
        } catch (SocketTimeoutException e) {
            if (overall < perRead) throw new TooSlowException(pace.minRate);
            throw e;
        }
    }

    private int next() throws IOException {
        if (pos >= lim && !fill()) return -1;
        return buf[pos++] & 0xff;
    }

    private boolean fill() throws IOException {
        beforeBlocking.run();
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) throw new SocketTimeoutException("deadline passed");
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remaining));
        int n = in.read(buf, 0, buf.length);
        if (n < 0) return false;
        pos = 0;
        lim = n;
        return true;
    }
}
