package org.depesche.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP CONNECT proxy on loopback that sends every tunnel to 127.0.0.1 at
 * the requested port (or a fixed one): it lets a real HttpClient ask for
 * https://mta-sts.example.org:PORT/ (SNI, Host header and certificate name
 * check all use that name) without DNS for it.
 */
public final class ConnectProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final List<String> targets = new CopyOnWriteArrayList<>();
    private final int fixedPort;

    /** Tunnels to the port each CONNECT asks for. */
    public ConnectProxy() throws IOException {
        this(0);
    }

    /** Tunnels every CONNECT, whatever port it asks for (e.g. 443), to this loopback port. */
    public ConnectProxy(int fixedPort) throws IOException {
        this.fixedPort = fixedPort;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public ProxySelector selector() {
        return ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
    }

    /** The host:port of every CONNECT seen. */
    public List<String> targets() {
        return targets;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread.ofVirtual().start(() -> tunnel(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void tunnel(Socket client) {
        try (client) {
            client.setSoTimeout(10_000);
            String head = readHead(client.getInputStream());
            String target = head.split(" ", 3)[1];
            targets.add(target);
            int port = fixedPort != 0 ? fixedPort : Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                upstream.setSoTimeout(10_000);
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                Thread back = Thread.ofVirtual().start(() -> pipe(upstream, client));
                pipe(client, upstream);
                back.join();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the test sees the failure on its client side
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.size() > 8192) throw new IOException("bad CONNECT request");
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed; the other direction ends on its own
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
