package org.depesche.smtp.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.depesche.config.Config;
import org.depesche.config.HostPort;
import org.depesche.directory.Directory;
import org.depesche.net.ConnectionGate;
import org.depesche.queue.Queue;
import org.depesche.store.RefusalStore;
import org.depesche.tls.TlsContextProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the configured listeners (MX, submission, submissions), accepts
 * connections and runs each as an {@link SmtpSession} on its own virtual
 * thread. Enforces the connection limits in total and per IP address
 * (THREATS T14): a client over the limit gets 421 4.7.0 and is closed, and
 * never holds a session.
 */
public final class SmtpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SmtpServer.class);
    private static final Duration AUTH_FAILURE_DELAY = Duration.ofSeconds(1);
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    /** What every session of this server shares. {@code authFailureDelay} doubles with each failed AUTH. */
    record Context(Config config, Directory directory, Queue queue, TlsContextProvider tls, Clock clock,
                   Duration authFailureDelay, RefusalDigest refusals) {
    }

    private final Context ctx;
    private final Map<ListenerKind, ServerSocket> listeners = new EnumMap<>(ListenerKind.class);
    private final List<Thread> acceptThreads = new ArrayList<>();
    private final Map<SmtpSession, Thread> sessions = new ConcurrentHashMap<>();
    private final ConnectionGate gate;
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    /** {@code refusals} keeps what the refusal digests have not yet told the owners of secure addresses. */
    public SmtpServer(Config config, Directory directory, Queue queue, RefusalStore refusals, TlsContextProvider tls,
                      Clock clock) {
        this(config, directory, queue, refusals, tls, clock, AUTH_FAILURE_DELAY);
    }

    /** For tests: the base delay after a failed AUTH (zero makes them fast). */
    SmtpServer(Config config, Directory directory, Queue queue, RefusalStore refusals, TlsContextProvider tls, Clock clock,
               Duration authFailureDelay) {
        this.ctx = new Context(config, directory, queue, tls, clock, authFailureDelay,
                new RefusalDigest(queue, config.hostname(), clock, refusals));
        this.gate = new ConnectionGate(config.limits().maxConnections(), config.limits().maxConnectionsPerIp());
    }

    /** Binds every configured listener, then starts accepting on all of them. */
    public void start() throws IOException {
        Config.Listen listen = ctx.config().listen();
        try {
            bind(ListenerKind.SMTP, listen.smtp());
            bind(ListenerKind.SUBMISSION, listen.submission());
            bind(ListenerKind.SUBMISSIONS, listen.submissions());
        } catch (IOException e) {
            close();
            throw e;
        }
        acceptThreads.add(Thread.ofVirtual().name("smtp-watchdog").start(this::watchdog));
        listeners.forEach((kind, server) -> {
            Thread t = Thread.ofVirtual().name("smtp-accept-" + kind.name().toLowerCase()).start(() -> acceptLoop(kind, server));
            acceptThreads.add(t);
            log.info("listening listener={} address={}", kind, address(kind));
        });
    }

    private void bind(ListenerKind kind, HostPort at) throws IOException {
        if (at == null) return;
        ServerSocket server = ConnectionGate.bind(at, kind.toString());
        listeners.put(kind, server);
    }

    /** The bound address of a listener, or null if it is not configured or not started. */
    public InetSocketAddress address(ListenerKind kind) {
        ServerSocket s = listeners.get(kind);
        return s == null ? null : new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
    }

    private void acceptLoop(ListenerKind kind, ServerSocket server) {
        while (!closed) {
            Socket socket = ConnectionGate.accept(server, () -> closed, kind.toString());
            if (socket == null) return;
            String cid = newConnectionId();
            InetAddress ip = socket.getInetAddress();
            try {
                socket.setTcpNoDelay(true); // replies are batched by the session itself (RFC 2920)
            } catch (IOException ignored) {
                // not fatal: only latency
            }
            if (!gate.admit(ip)) {
                Thread.ofVirtual().start(() -> refuse(kind, socket, cid));
                continue;
            }
            SmtpSession session = new SmtpSession(ctx, kind, socket, cid);
            gate.start(sessions, session, ip, "smtp-" + cid, session::run);
            if (closed) session.closeConnection();
        }
    }

    /**
     * Reads are bounded by the session's own deadlines, but a socket write
     * has no timeout and a TLS handshake only a per-read one: a client that
     * stops reading or trickles its handshake would hold its session
     * forever. Once a second, close those whose write or handshake has taken
     * longer than the command timeout (THREATS T14).
     */
    private void watchdog() {
        Duration limit = ctx.config().limits().commandTimeout();
        while (!closed) {
            long now = System.nanoTime();
            sessions.keySet().stream().filter(s -> s.stalled(now, limit)).forEach(s -> {
                log.info("closing session cid={} reason=\"client does not read or takes too long for the TLS handshake\"", s.connectionId());
                s.closeConnection();
            });
            ctx.refusals().flushDue(); // refusals held back by the digest's rate limit

            try {
                Thread.sleep(Math.min(1000, Math.max(10, limit.toMillis() / 4)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** 421 to a client over the connection limits (RFC 5321 3.8); on implicit TLS there is nothing to say in clear. */
    private void refuse(ListenerKind kind, Socket socket, String cid) {
        log.info("connection refused cid={} listener={} peer={} reason=too-many-connections",
                cid, kind, socket.getInetAddress().getHostAddress());
        try (socket) {
            if (kind != ListenerKind.SUBMISSIONS) {
                OutputStream out = socket.getOutputStream();
                out.write(("421 4.7.0 Too many connections, try again later [" + cid + "]\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException ignored) {
            // the client went away first
        }
    }

    private String newConnectionId() {
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        return new String(id);
    }

    /** Stops accepting, closes every open session and waits briefly for them to end. */
    @Override
    public void close() {
        closed = true;
        for (ServerSocket s : listeners.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        for (Thread t : acceptThreads) {
            t.interrupt(); // the watchdog sleeps; accept loops end with their sockets
            ConnectionGate.join(t);
        }
        sessions.keySet().forEach(SmtpSession::closeConnection);
        for (Thread t : List.copyOf(sessions.values())) ConnectionGate.join(t);
    }
}
