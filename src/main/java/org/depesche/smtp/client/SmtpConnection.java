package org.depesche.smtp.client;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.depesche.smtp.Printable;
import org.depesche.smtp.Reply;
import org.depesche.tls.PemTlsContextProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads replies with a timeout on every read and
 * limits on what the server controls, writes commands, upgrades to TLS.
 * Writes have no socket timeout in Java, so a watchdog closes the socket when
 * one takes longer than allowed (RFC 5321 4.5.3.2.5).
 */
final class SmtpConnection implements Closeable {
    private static final Logger transcript = LoggerFactory.getLogger("transcript.client");
    /** RFC 5321 4.5.3.1.5 allows 512 octets per reply line; real servers exceed it a little. */
    static final int MAX_REPLY_LINE = 2048;
    /** No EHLO reply needs more lines; more is a server trying to exhaust us. */
    static final int MAX_REPLY_LINES = 100;
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)");

    private final ScheduledExecutorService watchdog;
    private volatile Duration writeTimeout;
    private volatile boolean expired;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;
    boolean enhancedStatusCodes;

    private SmtpConnection(Socket socket, ScheduledExecutorService watchdog, Duration writeTimeout) throws IOException {
        this.watchdog = watchdog;
        this.writeTimeout = writeTimeout;
        use(socket);
    }

    /** {@code writeTimeout}: for writes until the first {@link #flush} names another. */
    static SmtpConnection open(InetSocketAddress address, Duration connectTimeout, Duration writeTimeout,
                               ScheduledExecutorService watchdog) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, millis(connectTimeout));
            return new SmtpConnection(socket, watchdog, writeTimeout);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = s.getInputStream();
        out = new BufferedOutputStream(new Guarded(s.getOutputStream()), 16384);
    }

    /**
     * Every write that reaches the socket, whether from a flush or from a
     * large write passing the buffer, runs under the watchdog with the
     * current write timeout.
     */
    private final class Guarded extends OutputStream {
        private final OutputStream raw;

        Guarded(OutputStream raw) {
            this.raw = raw;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ScheduledFuture<?> alarm = arm(writeTimeout);
            try {
                raw.write(b, off, len);
            } finally {
                alarm.cancel(false);
            }
        }

        @Override
        public void flush() throws IOException {
            raw.flush();
        }
    }

    private ScheduledFuture<?> arm(Duration timeout) {
        return watchdog.schedule(this::expire, millis(timeout), TimeUnit.MILLISECONDS);
    }

    private void expire() {
        expired = true;
        closeQuietly();
    }

    /** True if the watchdog closed the socket because a write or handshake took too long. */
    boolean expired() {
        return expired;
    }

    /** Queues a command line (CRLF appended); sent on {@link #flush}. */
    void send(String command) throws IOException {
        transcript.debug("C: {}", command);
        out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends what is buffered; the socket is closed if the peer does not take
     * each write within {@code timeout}. Also the timeout for the writes that
     * the following {@link #send} and {@link #write} calls cause.
     */
    void flush(Duration timeout) throws IOException {
        writeTimeout = timeout;
        out.flush();
    }

    /** Message content, buffered; every socket write it causes runs under {@code timeout}. */
    void write(byte[] bytes, int length, Duration timeout) throws IOException {
        writeTimeout = timeout;
        out.write(bytes, 0, length);
    }

    /**
     * Reads one complete reply, multi-line replies joined with "\n" (RFC 5321 4.2.1).
     * {@code timeout} bounds the whole reply, not each read: a server that
     * trickles a byte at a time must not hold the delivery for ever (THREATS T14).
     * The text is made {@link Printable} here, so that no queue file, bounce,
     * log line or probe report ever holds the server's escape sequences,
     * lone CRs or NULs (issue 8 finding 9; the textstring of RFC 5321 4.2
     * has no control character but HT).
     */
    Reply read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        int code = -1;
        String enhanced = "";
        while (true) {
            String line = readLine(deadline);
            transcript.debug("S: {}", Printable.printable(line));
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new SmtpProtocolException("malformed reply line: " + excerpt(line));
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (lineCode < 200 || lineCode > 599) throw new SmtpProtocolException("reply code out of range: " + lineCode);
            if (code != -1 && lineCode != code) throw new SmtpProtocolException("reply code changed within a reply");
            code = lineCode;
            String text = line.length() > 4 ? Printable.printable(line.substring(4)) : "";
            if (enhancedStatusCodes) {
                Matcher m = ENHANCED.matcher(text);
                // RFC 3463 2: the class of the enhanced code repeats the first digit of the reply code.
                if (m.find() && m.group(1).charAt(0) == line.charAt(0)) {
                    if (enhanced.isEmpty()) enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
                    text = text.substring(m.end());
                }
            }
            lines.add(text);
            if (lines.size() > MAX_REPLY_LINES) throw new SmtpProtocolException("reply longer than " + MAX_REPLY_LINES + " lines");
            if (line.length() == 3 || line.charAt(3) == ' ') return Reply.of(code, enhanced, String.join("\n", lines));
        }
    }

    private String readLine(long deadline) throws IOException {
        byte[] line = new byte[128];
        int n = 0;
        while (true) {
            if (pos == limit) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new java.net.SocketTimeoutException("reply not complete in time");
                socket.setSoTimeout(millis(Duration.ofNanos(left)));
                limit = in.read(buf);
                pos = 0;
                if (limit < 0) {
                    limit = 0;
                    throw new SmtpProtocolException("connection closed by the server");
                }
            }
            byte b = buf[pos++];
            if (b == '\n') break;
            if (n == MAX_REPLY_LINE) throw new SmtpProtocolException("reply line longer than " + MAX_REPLY_LINE + " octets");
            if (n == line.length) line = java.util.Arrays.copyOf(line, n * 2);
            line[n++] = b;
        }
        if (n > 0 && line[n - 1] == '\r') n--;
        return new String(line, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * RFC 3207 4.2 (and the client side of THREATS T11): anything the server
     * sent after its 220 to STARTTLS would be read as if it came through TLS.
     */
    boolean hasBufferedInput() {
        return pos < limit;
    }

    /** Wraps the socket in TLS with SNI = {@code mxHost} and does the handshake within {@code timeout}. */
    SSLSocket startTls(SSLContext context, String mxHost, Duration timeout) throws IOException {
        out.flush();
        String sniHost = mxHost.endsWith(".") ? mxHost.substring(0, mxHost.length() - 1) : mxHost;
        InetSocketAddress peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, sniHost, peer.getPort(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setProtocols(PemTlsContextProvider.PROTOCOLS.toArray(String[]::new));
        params.setCipherSuites(PemTlsContextProvider.CIPHER_SUITES.toArray(String[]::new));
        // RFC 7672 8.1: SNI is the MX host name; RFC 6066 3: never an address literal.
        boolean literal = sniHost.contains(":") || sniHost.matches("[0-9.]+");
        try {
            params.setServerNames(literal ? List.of() : List.of(new SNIHostName(sniHost)));
        } catch (IllegalArgumentException e) {
            params.setServerNames(List.of());
        }
        tls.setSSLParameters(params);
        tls.setSoTimeout(millis(timeout));
        ScheduledFuture<?> alarm = arm(timeout);
        try {
            tls.startHandshake();
        } finally {
            alarm.cancel(false);
        }
        use(tls);
        return tls;
    }

    /** QUIT and its reply, ignoring failures: the session is over either way (RFC 5321 4.1.1.10). */
    void quit(Duration timeout) {
        try {
            send("QUIT");
            flush(timeout);
            read(timeout);
        } catch (IOException | RuntimeException e) {
            // a missing 221 changes nothing
        }
    }

    /** The start of a line the server got wrong, for the error message. */
    private static String excerpt(String s) {
        return Printable.printable(s.length() > 80 ? s.substring(0, 80) + "..." : s);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do with a socket we are abandoning
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    /** The server broke the protocol (garbage, overlong or missing reply). */
    static final class SmtpProtocolException extends IOException {
        SmtpProtocolException(String message) {
            super(message);
        }
    }
}
