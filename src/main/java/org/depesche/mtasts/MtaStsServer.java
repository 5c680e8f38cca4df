package org.depesche.mtasts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.depesche.config.HostPort;
import org.depesche.mail.Domain;
import org.depesche.net.ConnectionGate;
import org.depesche.tls.TlsContextProvider;

/**
 * Serves this server's MTA-STS policy (RFC 8461 3.3) over HTTPS: GET or HEAD
 * {@code /.well-known/mta-sts.txt} on host {@code mta-sts.<domain>} for each
 * local domain answers 200 text/plain with the policy; any other host or path
 * gets 404, any other method 405, and never a redirect. TLS 1.2 and 1.3 with
 * the server's certificate.
 *
 * <p>A deliberately small HTTP/1.1 responder (RFC 9112) rather than a general
 * web server, since it faces the Internet (THREATS T14): one virtual thread
 * per connection, caps on connections in total and per IP address (a
 * connection over them is closed at once), one deadline for the TLS
 * handshake and the whole request head, a cap on the head's size and number
 * of fields, one request per connection and no request content.
 */
public final class MtaStsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MtaStsServer.class);
    static final String PATH = "/.well-known/mta-sts.txt";
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:\\[\\]%-]*"); // RFC 3986 3.2.2, 3.2.3
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /**
     * What a peer may take (THREATS T14). {@code headTime} bounds the TLS
     * handshake and the request head together from accept; writing the
     * response and the lingering close get as long again.
     */
    record Limits(int maxConnections, int maxConnectionsPerIp, Duration headTime, int maxHeadBytes, int maxFields) {
        static final Limits DEFAULT = new Limits(64, 8, Duration.ofSeconds(10), 8192, 50);
    }

    private final HostPort listen;
    private final PublishedPolicy policy;
    private final Predicate<String> isLocalDomain;
    private final TlsContextProvider tls;
    private final Clock clock;
    private final Limits limits;
    private final Map<Connection, Thread> connections = new ConcurrentHashMap<>();
    private final ConnectionGate gate;
    private ServerSocket server;
    private Thread acceptThread;
    private Thread watchdogThread;
    private volatile boolean closed;

    public MtaStsServer(HostPort listen, PublishedPolicy policy, Predicate<String> isLocalDomain, TlsContextProvider tls) {
        this(listen, policy, isLocalDomain, tls, Clock.systemUTC(), Limits.DEFAULT);
    }

    MtaStsServer(HostPort listen, PublishedPolicy policy, Predicate<String> isLocalDomain, TlsContextProvider tls,
                 Clock clock, Limits limits) {
        this.listen = listen;
        this.policy = policy;
        this.isLocalDomain = isLocalDomain;
        this.tls = tls;
        this.clock = clock;
        this.limits = limits;
        this.gate = new ConnectionGate(limits.maxConnections(), limits.maxConnectionsPerIp());
    }

    public void start() throws IOException {
        ServerSocket s = ConnectionGate.bind(listen, "MTA-STS");
        server = s;
        acceptThread = Thread.ofVirtual().name("mta-sts-accept").start(this::acceptLoop);
        watchdogThread = Thread.ofVirtual().name("mta-sts-watchdog").start(this::watchdog);
        log.info("event=mta-sts-listening address={} id={} mode={}", address(), policy.id(), policy.policy().mode().label());
    }

    /** The bound address, or null before start. */
    public InetSocketAddress address() {
        ServerSocket s = server;
        return s == null ? null : new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket = ConnectionGate.accept(server, () -> closed, "MTA-STS");
            if (socket == null) return;
            InetAddress ip = socket.getInetAddress();
            if (!gate.admit(ip)) {
                // Nothing can be said in clear on a TLS port: the connection is closed before the handshake.
                log.info("event=mta-sts-refused peer={} reason=too-many-connections", ip.getHostAddress());
                closeQuietly(socket);
                continue;
            }
            Connection c = new Connection(socket, System.nanoTime() + limits.headTime().toNanos());
            gate.start(connections, c, ip, "mta-sts-conn", () -> {
                try {
                    serve(c);
                } finally {
                    c.close();
                }
            });
            if (closed) c.close();
        }
    }

    /**
     * A TLS handshake has only a per-read timeout, which a client trickling
     * its bytes never meets, and a write none at all. Close connections that
     * outlive their hard deadline: the head deadline plus as long again, so
     * that a client too slow with its head normally gets its 408 first.
     */
    private void watchdog() {
        long grace = limits.headTime().toNanos();
        while (!closed) {
            long now = System.nanoTime();
            connections.keySet().stream().filter(c -> now - c.deadline > grace).forEach(c -> {
                log.info("event=mta-sts-closed peer={} reason=\"deadline exceeded\"", c.plain.getInetAddress().getHostAddress());
                c.close();
            });
            try {
                Thread.sleep(Math.min(250, Math.max(10, limits.headTime().toMillis() / 4)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void serve(Connection c) {
        String peer = c.plain.getInetAddress().getHostAddress();
        try {
            SSLSocket ssl = tls.wrapServer(c.plain);
            c.ssl = ssl;
            ssl.setSoTimeout((int) Math.max(1, limits.headTime().toMillis()));
            ssl.startHandshake();
            InputStream in = ssl.getInputStream();
            Reply reply;
            boolean head = false;
            try {
                HttpRequestHead request = HttpRequestHead.read(ssl, in, c.deadline, limits.maxHeadBytes(), limits.maxFields());
                head = request.method().equals("HEAD");
                reply = answer(request);
                log.info("event=mta-sts-request peer={} method={} target=\"{}\" status={}",
                        peer, request.method(), abbreviate(request.target()), reply.status());
            } catch (HttpRequestHead.Rejected e) {
                reply = Reply.error(e.status, e.getMessage());
                log.info("event=mta-sts-request peer={} status={} reason=\"{}\"", peer, e.status, e.getMessage());
            }
            c.deadline = System.nanoTime() + limits.headTime().toNanos(); // for the reply and the lingering close
            OutputStream out = ssl.getOutputStream();
            out.write(reply.render(clock, head));
            out.flush();
            halfClose(ssl);
            linger(ssl, in, c.deadline);
        } catch (IOException e) {
            log.debug("event=mta-sts-connection-failed peer={} error=\"{}\"", peer, e.getMessage());
        }
    }

    /** The reply to a well-formed request head. */
    private Reply answer(HttpRequestHead r) {
        List<String> hosts = r.values("host");
        // RFC 9112 3.2: a 1.1 request without Host, or any with more than one or an invalid one, gets 400.
        if ((r.minor() >= 1 && hosts.isEmpty()) || hosts.size() > 1 || !hosts.stream().allMatch(h -> HOST.matcher(h).matches())) {
            return Reply.error(400, "exactly one valid Host header field is required");
        }
        if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
            return Reply.error(405, "only GET and HEAD"); // RFC 9110 15.5.6, with Allow
        }
        // No content is read, so a GET or HEAD that announces any would leave us guessing its framing (RFC 9112 6.3).
        if (!r.values("transfer-encoding").isEmpty() || !r.values("content-length").stream().allMatch("0"::equals)) {
            return Reply.error(400, "a GET or HEAD request has no content here");
        }
        String authority = hosts.isEmpty() ? null : hosts.getFirst();
        String path;
        if (r.target().startsWith("/")) {
            int q = r.target().indexOf('?');
            path = q < 0 ? r.target() : r.target().substring(0, q);
        } else {
            try { // RFC 9112 3.2.2: absolute-form is accepted and its authority replaces Host
                URI uri = new URI(r.target());
                if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getRawAuthority() == null) {
                    return Reply.error(400, "unsupported request target");
                }
                authority = uri.getRawAuthority();
                path = uri.getRawPath();
            } catch (URISyntaxException e) {
                return Reply.error(400, "malformed request target");
            }
        }
        String domain = policyDomain(authority);
        if (!PATH.equals(path) || domain == null || !isLocalDomain.test(domain)) {
            return Reply.error(404, "not found"); // RFC 8461 3.3: no redirect, ever
        }
        return new Reply(200, "OK", policy.policy().toText().getBytes(StandardCharsets.US_ASCII));
    }

    /** "mta-sts.example.org[:443]", however spelled, gives the key "example.org"; anything else null. */
    static String policyDomain(String host) {
        if (host == null) return null;
        String h = host.strip();
        int colon = h.lastIndexOf(':');
        if (colon >= 0 && !h.endsWith("]")) h = h.substring(0, colon);
        String name = Domain.ifValid(h).map(Domain::asciiName).orElse("");
        return name.startsWith("mta-sts.") ? name.substring("mta-sts.".length()) : null;
    }

    /** close_notify without closing the input (RFC 8446 6.1), so that a client reading to the end stops at once. */
    private static void halfClose(SSLSocket ssl) {
        try {
            ssl.shutdownOutput();
        } catch (IOException e) {
            log.debug("event=mta-sts-half-close-failed error=\"{}\"", e.getMessage());
        }
    }

    /**
     * RFC 9112 9.6: after a reply with "Connection: close" and the half-close, read and discard
     * what the client still sends (a POST's content, a head over the cap)
     * until it closes, a little while or 64 KiB, so that closing with unread
     * data does not reset the connection before the client has read the reply.
     */
    private static void linger(SSLSocket ssl, InputStream in, long deadline) {
        long until = Math.min(deadline, System.nanoTime() + Duration.ofSeconds(2).toNanos());
        byte[] sink = new byte[4096];
        int drained = 0;
        try {
            while (drained < 65536) {
                long left = until - System.nanoTime();
                if (left <= 0) return;
                ssl.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n = in.read(sink);
                if (n < 0) return;
                drained += n;
            }
        } catch (IOException ignored) {
            // timed out or gone: either way we close now
        }
    }

    private static String abbreviate(String s) {
        String t = s.replace("\"", "%22"); // the target is visible ASCII; keep the log line's quoting intact
        return t.length() <= 100 ? t : t.substring(0, 100) + "...";
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) closeQuietly(server);
        for (Thread t : new Thread[] {acceptThread, watchdogThread}) {
            if (t == null) continue;
            t.interrupt();
            ConnectionGate.join(t);
        }
        connections.keySet().forEach(Connection::close);
        for (Thread t : List.copyOf(connections.values())) ConnectionGate.join(t);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed or broken
        }
    }

    /** One accepted connection; {@code deadline} (System.nanoTime()) is read by the watchdog. */
    private static final class Connection {
        final Socket plain;
        volatile SSLSocket ssl;
        volatile long deadline;

        Connection(Socket plain, long deadline) {
            this.plain = plain;
            this.deadline = deadline;
        }

        /** Closes from any thread: the plain socket first, which ends a blocked handshake, read or write at once. */
        void close() {
            closeQuietly(plain);
            closeQuietly(ssl);
        }
    }

    /** A response; every one ends the connection (RFC 9112 9.6). */
    private record Reply(int status, String reason, byte[] body) {
        static Reply error(int status, String why) {
            String reason = switch (status) {
                case 400 -> "Bad Request";
                case 404 -> "Not Found";
                case 405 -> "Method Not Allowed";
                case 408 -> "Request Timeout";
                case 431 -> "Request Header Fields Too Large";
                case 505 -> "HTTP Version Not Supported";
                default -> "Error";
            };
            return new Reply(status, reason, (why + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        /** HEAD gets the same header fields as GET and no content (RFC 9110 9.3.2). */
        byte[] render(Clock clock, boolean headOnly) {
            StringBuilder h = new StringBuilder();
            h.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
            h.append("Date: ").append(IMF_FIXDATE.format(clock.instant())).append("\r\n"); // RFC 9110 6.6.1
            h.append("Content-Type: text/plain\r\n"); // RFC 8461 3.3
            h.append("Content-Length: ").append(body.length).append("\r\n");
            h.append("Cache-Control: no-store\r\n");
            if (status == 405) h.append("Allow: GET, HEAD\r\n"); // RFC 9110 15.5.6
            h.append("Connection: close\r\n\r\n"); // RFC 9112 9.6
            byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
            if (headOnly) return head;
            byte[] all = new byte[head.length + body.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            return all;
        }
    }
}
