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
 * command open forever (RFC 5321 4.5.3.2, THREATS T14).
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

    /** Next octet of message data or -1 at end of stream; every blocking read gets the data timeout. */
    int readData(Duration timeout) throws IOException {
        if (pos < lim) return buf[pos++] & 0xff;
        deadline = System.nanoTime() + timeout.toNanos();
        return next();
    }

    /** Reads up to {@code len} octets of a BDAT chunk (RFC 3030 2); -1 at end of stream. */
    int readChunk(byte[] dst, int off, int len, Duration timeout) throws IOException {
        if (pos >= lim) {
            deadline = System.nanoTime() + timeout.toNanos();
            if (!fill()) return -1;
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        return n;
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
