package org.depesche.smtp.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A line-based SMTP client for the tests: writes raw bytes, reads whole (multi-line) replies. */
final class SmtpTestClient implements AutoCloseable {

    /** One reply as received: code, enhanced code of the last line (or ""), and the text lines. */
    record TestReply(int code, String enhanced, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }

        @Override
        public String toString() {
            return code + " " + text();
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpTestClient(Socket socket) throws IOException {
        use(socket);
    }

    static SmtpTestClient connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 10_000);
        return new SmtpTestClient(s);
    }

    /** Connects with implicit TLS (RFC 8314 3.3), trusting only the test certificate. */
    static SmtpTestClient connectTls(InetSocketAddress address, SSLContext context) throws IOException {
        Socket plain = new Socket();
        plain.connect(address, 10_000);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", address.getPort(), true);
        s.setUseClientMode(true);
        s.setSoTimeout(30_000);
        s.startHandshake();
        return new SmtpTestClient(s);
    }

    private void use(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    /** Upgrades this connection with a real handshake after the server said 220 to STARTTLS. */
    SSLSocket startTls(SSLContext context) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        s.setUseClientMode(true);
        s.setSoTimeout(30_000);
        s.startHandshake();
        use(s);
        return s;
    }

    Socket socket() {
        return socket;
    }

    void write(String raw) throws IOException {
        write(raw.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    TestReply command(String line) throws IOException {
        write(line + "\r\n");
        return read();
    }

    /** Reads one complete reply; throws at end of stream. */
    TestReply read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) throw new java.io.EOFException("server closed the connection");
            if (line.length() < 4) throw new IOException("malformed reply line: " + line);
            lines.add(line.substring(4));
            if (line.charAt(3) == ' ') {
                int code = Integer.parseInt(line.substring(0, 3));
                String last = line.substring(4);
                String enhanced = "";
                if (last.matches("[245]\\.\\d{1,3}\\.\\d{1,3}( .*)?")) {
                    enhanced = last.split(" ", 2)[0];
                    List<String> stripped = new ArrayList<>();
                    for (String l : lines) stripped.add(l.startsWith(enhanced + " ") ? l.substring(enhanced.length() + 1) : l);
                    lines = stripped;
                }
                return new TestReply(code, enhanced, lines);
            }
        }
    }

    /** True if the server has closed the connection (end of stream, or a reset); false if it is still open after the read timeout. */
    boolean isClosedByServer() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') break;
            line.write(b);
        }
        if (b < 0 && line.size() == 0) return null;
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
