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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A tiny SMTP server on loopback whose replies a test scripts: the EHLO
 * keywords, STARTTLS with a given identity (or none), a reply for any
 * command prefix (e.g. "RCPT TO:<bob@" -> "450 4.2.1 busy"), the reply to
 * the end of data, keywords offered only inside TLS (REQUIRETLS), silence,
 * and a mode that withholds MAIL and RCPT replies
 * until DATA arrives, which only a pipelining client survives. It records
 * every command line and every message it received.
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    private final ServerSocket listener;
    private final SSLContext tls;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final Map<String, String> replies = new LinkedHashMap<>();
    private volatile List<String> extensions = List.of("PIPELINING", "SIZE 10000000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES");
    private volatile List<String> tlsExtensions = List.of();
    private volatile String greeting = "220 scripted.test ESMTP";
    private volatile String firstGreeting;
    private volatile int firstGreeted;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String endOfData = "250 2.0.0 Ok: queued";
    private volatile boolean holdUntilData;
    private volatile boolean silent;
    private volatile boolean stallInData;
    private volatile boolean tlsUsed;

    /** {@code tls} null: STARTTLS is not offered. */
    public ScriptedSmtpServer(SSLContext tls) throws IOException {
        this.tls = tls;
        listener = new ServerSocket();
        // Small, so that a client writing to a server that stopped reading blocks soon (stallInData).
        listener.setReceiveBufferSize(64 * 1024);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public ScriptedSmtpServer extensions(String... keywords) {
        extensions = List.of(keywords);
        return this;
    }

    /** Keywords offered only in the EHLO reply inside TLS, as RFC 8689 2 has REQUIRETLS offered. */
    public ScriptedSmtpServer afterTls(String... keywords) {
        tlsExtensions = List.of(keywords);
        return this;
    }

    /** Answers commands starting with {@code prefix} (case-insensitive) with {@code reply}, lines separated by CRLF. */
    public synchronized ScriptedSmtpServer reply(String prefix, String reply) {
        replies.put(prefix.toUpperCase(Locale.ROOT), reply);
        return this;
    }

    public ScriptedSmtpServer greeting(String reply) {
        greeting = reply;
        return this;
    }

    /** The first {@code connections} connections are greeted with {@code reply}, later ones with the greeting. */
    public ScriptedSmtpServer greetingForFirst(int connections, String reply) {
        firstGreeting = reply;
        firstGreeted = connections;
        return this;
    }

    /** How many connections were accepted so far. */
    public int connections() {
        return accepted.get();
    }

    public ScriptedSmtpServer endOfData(String reply) {
        endOfData = reply;
        return this;
    }

    /** MAIL and RCPT replies are written only once DATA has been read (RFC 2920 test). */
    public ScriptedSmtpServer holdRepliesUntilData() {
        holdUntilData = true;
        return this;
    }

    /** Says 354 to DATA and then stops reading, so the client's writes block. */
    public ScriptedSmtpServer stallInData() {
        stallInData = true;
        return this;
    }

    /** Accepts connections but never says a word. */
    public ScriptedSmtpServer silent() {
        silent = true;
        return this;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** Every command line received, in order, across connections. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    public boolean received(String prefix) {
        return commands.stream().anyMatch(c -> c.toUpperCase(Locale.ROOT).startsWith(prefix.toUpperCase(Locale.ROOT)));
    }

    /** The content of every DATA transaction, dot-stuffing removed. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** The SNI host names clients sent in their TLS handshakes. */
    public List<String> serverNames() {
        return List.copyOf(serverNames);
    }

    public boolean tlsUsed() {
        return tlsUsed;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                Thread.ofVirtual().start(() -> session(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket socket) {
        try (Socket s = socket) {
            int n = accepted.incrementAndGet();
            s.setSoTimeout(30_000);
            if (silent) {
                s.getInputStream().read(); // holds the connection until the client gives up
                return;
            }
            new Session(s).run(n <= firstGreeted ? firstGreeting : greeting);
        } catch (IOException e) {
            // the client went away; tests assert on what was recorded
        }
    }

    private final class Session {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean inTls;
        private final List<String> held = new ArrayList<>();

        Session(Socket s) throws IOException {
            use(s);
        }

        private void use(Socket s) throws IOException {
            socket = s;
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        void run(String greeting) throws IOException {
            write(greeting);
            for (String line; (line = readLine()) != null; ) {
                commands.add(line);
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                String scripted = scripted(line);
                switch (verb) {
                    case "EHLO" -> write(scripted != null ? scripted : ehlo());
                    case "STARTTLS" -> {
                        if (scripted != null || tls == null || inTls) {
                            write(scripted != null ? scripted : "502 5.5.1 no STARTTLS here");
                        } else {
                            write("220 2.0.0 go ahead");
                            startTls();
                        }
                    }
                    case "MAIL", "RCPT" -> {
                        String reply = scripted != null ? scripted : verb.equals("MAIL") ? "250 2.1.0 Ok" : "250 2.1.5 Ok";
                        if (holdUntilData) held.add(reply);
                        else write(reply);
                    }
                    case "DATA" -> data(scripted);
                    case "QUIT" -> {
                        write("221 2.0.0 bye");
                        return;
                    }
                    default -> write(scripted != null ? scripted : "250 2.0.0 Ok");
                }
            }
        }

        private String ehlo() {
            List<String> lines = new ArrayList<>();
            lines.add("scripted.test");
            lines.addAll(extensions);
            if (inTls) lines.addAll(tlsExtensions);
            if (tls != null && !inTls) lines.add("STARTTLS");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) b.append("\r\n");
                b.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
            }
            return b.toString();
        }

        private void data(String scripted) throws IOException {
            for (String h : held) write(h);
            held.clear();
            String reply = scripted != null ? scripted : "354 End data with <CR><LF>.<CR><LF>";
            write(reply);
            if (!reply.startsWith("354")) return;
            if (stallInData) {
                while (!socket.isClosed() && !listener.isClosed()) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                return;
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            for (String line; (line = readLine()) != null; ) {
                if (line.equals(".")) {
                    messages.add(content.toString(StandardCharsets.UTF_8));
                    write(endOfData);
                    return;
                }
                content.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.UTF_8));
                content.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            // the client closed without the final dot: RFC 5321 4.1.1.4, the message does not exist
        }

        private void startTls() throws IOException {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            s.setUseClientMode(false);
            s.startHandshake();
            if (s.getSession() instanceof javax.net.ssl.ExtendedSSLSession e) {
                e.getRequestedServerNames().forEach(n -> serverNames.add(((javax.net.ssl.SNIHostName) n).getAsciiName()));
            }
            use(s);
            inTls = true;
            tlsUsed = true;
        }

        private synchronized String scripted(String line) {
            String upper = line.toUpperCase(Locale.ROOT);
            for (var e : replies.entrySet()) {
                if (upper.startsWith(e.getKey())) return e.getValue();
            }
            return null;
        }

        private void write(String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != -1; ) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
