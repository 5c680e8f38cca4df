package org.depesche.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.depesche.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts open connections in total and per IP address and admits a new one
 * only under both caps (THREATS T14). Every admitted connection must be
 * released exactly once when it ends.
 */
public final class ConnectionGate {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
    private final int maxTotal;
    private final int maxPerIp;
    private final Map<InetAddress, Integer> perIp = new HashMap<>(); // guarded by this
    private int total; // guarded by this

    public ConnectionGate(int maxTotal, int maxPerIp) {
        this.maxTotal = maxTotal;
        this.maxPerIp = maxPerIp;
    }

    /** True, and counted, if a connection from {@code ip} stays under both caps. */
    public synchronized boolean admit(InetAddress ip) {
        int fromIp = perIp.getOrDefault(ip, 0);
        if (total >= maxTotal || fromIp >= maxPerIp) return false;
        total++;
        perIp.put(ip, fromIp + 1);
        return true;
    }

    public synchronized void release(InetAddress ip) {
        total--;
        perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Runs an admitted connection's {@code body} on a new virtual thread,
     * listed in {@code running} under {@code key} until it ends; then its
     * place is released.
     */
    public <K> void start(Map<K, Thread> running, K key, InetAddress ip, String name, Runnable body) {
        Thread thread = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                running.remove(key);
                release(ip);
            }
        });
        running.put(key, thread);
        thread.start();
    }

    /** A server socket bound to {@code at}, or an exception naming the address and {@code what} it was for. */
    public static ServerSocket bind(HostPort at, String what) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(at.host(), at.port()), 256);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + at + " for " + what + ": " + e.getMessage(), e);
        }
        return server;
    }

    /** Waits up to 5 s for a thread to end (shutdown), keeping an interrupt. */
    public static void join(Thread t) {
        try {
            t.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The next accepted connection, or null once {@code closed} says the
     * server is shutting down. A failed accept (e.g. out of file descriptors)
     * is logged and retried after a pause rather than in a tight loop.
     */
    public static Socket accept(ServerSocket server, BooleanSupplier closed, String what) {
        while (!closed.getAsBoolean()) {
            try {
                return server.accept();
            } catch (IOException e) {
                if (closed.getAsBoolean()) return null;
                log.warn("event=accept-failed listener={} error=\"{}\"", what, e.getMessage());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }
}
