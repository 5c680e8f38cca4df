package org.depesche.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A man in the middle on loopback between an SMTP client and a real server
 * (THREATS T1, T2). {@link #relay} copies bytes; {@link #stripStartTls}
 * removes STARTTLS from every EHLO reply; {@link #terminateTls} answers the
 * client's STARTTLS itself with another certificate and talks to the server
 * in plaintext, reading everything. {@link #clientSent()} is what the proxy
 * saw from the client (decrypted when it terminated TLS).
 */
public final class MitmProxy implements AutoCloseable {
    private enum Mode { RELAY, STRIP_STARTTLS, TERMINATE_TLS }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Mode mode;
    private final SSLContext identity;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    private MitmProxy(InetSocketAddress target, Mode mode, SSLContext identity) throws IOException {
        this.target = target;
        this.mode = mode;
        this.identity = identity;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public static MitmProxy relay(InetSocketAddress target) throws IOException {
        return new MitmProxy(target, Mode.RELAY, null);
    }

    public static MitmProxy stripStartTls(InetSocketAddress target) throws IOException {
        return new MitmProxy(target, Mode.STRIP_STARTTLS, null);
    }

    /** Terminates the client's TLS with {@code attackerIdentity}; the leg to the server stays plaintext. */
    public static MitmProxy terminateTls(InetSocketAddress target, SSLContext attackerIdentity) throws IOException {
        return new MitmProxy(target, Mode.TERMINATE_TLS, attackerIdentity);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** Everything the client sent through the proxy, as the proxy could read it. */
    public String clientSent() {
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread.ofVirtual().start(() -> connection(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void connection(Socket client) {
        try (Socket c = client; Socket server = new Socket()) {
            server.connect(target, 10_000);
            Leg toClient = new Leg(c);
            Thread down = Thread.ofVirtual().start(() -> serverToClient(server, toClient));
            clientToServer(c, server, toClient);
            down.join(10_000);
        } catch (IOException | InterruptedException e) {
            // either side hung up; the test asserts on what reached the server
        }
    }

    /** The client side of the connection; replaced by its TLS socket after an intercepted STARTTLS. */
    private static final class Leg {
        volatile Socket socket;

        Leg(Socket s) {
            socket = s;
        }

        synchronized void write(byte[] b, int off, int len) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(b, off, len);
            out.flush();
        }
    }

    private void clientToServer(Socket client, Socket server, Leg leg) throws IOException {
        OutputStream up = server.getOutputStream();
        if (mode != Mode.TERMINATE_TLS) {
            copy(client.getInputStream(), up);
            return;
        }
        InputStream in = client.getInputStream();
        boolean terminated = false;
        for (byte[] line; (line = readLine(in)) != null; ) {
            String text = new String(line, StandardCharsets.UTF_8).trim();
            if (!terminated && text.equalsIgnoreCase("STARTTLS")) {
                byte[] ok = "220 2.0.0 Ready to start TLS\r\n".getBytes(StandardCharsets.US_ASCII);
                leg.write(ok, 0, ok.length);
                SSLSocket tls = (SSLSocket) identity.getSocketFactory().createSocket(client, null, client.getPort(), true);
                tls.setUseClientMode(false);
                tls.startHandshake();
                leg.socket = tls;
                in = tls.getInputStream();
                terminated = true;
                continue;
            }
            record(line, line.length);
            up.write(line);
            up.flush();
        }
        server.shutdownOutput();
    }

    private void serverToClient(Socket server, Leg leg) {
        try {
            InputStream in = server.getInputStream();
            if (mode != Mode.STRIP_STARTTLS) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) leg.write(buf, 0, n);
            } else {
                List<String> reply = new ArrayList<>();
                for (byte[] line; (line = readLine(in)) != null; ) {
                    String text = new String(line, StandardCharsets.UTF_8).stripTrailing();
                    if (text.length() > 4 && text.substring(4).equalsIgnoreCase("STARTTLS")) {
                        if (text.charAt(3) == ' ' && !reply.isEmpty()) flushStripped(reply, leg); // was the last line
                        continue;
                    }
                    reply.add(text);
                    if (text.length() <= 3 || text.charAt(3) == ' ') flushStripped(reply, leg);
                }
            }
            leg.socket.close();
        } catch (IOException e) {
            // connection over
        }
    }

    /** Writes a reply whose STARTTLS line was removed, with the last line marked final again. */
    private static void flushStripped(List<String> reply, Leg leg) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < reply.size(); i++) {
            String line = reply.get(i);
            if (i == reply.size() - 1 && line.length() > 3) line = line.substring(0, 3) + " " + line.substring(4);
            b.append(line).append("\r\n");
        }
        reply.clear();
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        leg.write(bytes, 0, bytes.length);
    }

    private void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            record(buf, n);
            out.write(buf, 0, n);
            out.flush();
        }
    }

    private void record(byte[] b, int n) {
        synchronized (seen) {
            seen.write(b, 0, n);
        }
    }

    /** A line including its LF, or null at the end of the stream. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            line.write(b);
            if (b == '\n') return line.toByteArray();
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
