package org.depesche;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise end to end: the real server in its own JVM
 * takes mail from several clients at once, is killed with SIGKILL right after
 * a 250, and is started again; every message that got a 250 must then be in
 * the Maildir exactly once (RFC 5321 6.1).
 */
class KillNineTest {
    private static final Pattern MARKER = Pattern.compile("X-Crash-Marker: (\\d+)");
    private static final int CLIENTS = 4;
    private static final int KILL_AFTER = 40;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopServers() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void everyMessageAcknowledgedBeforeAKillNineIsInTheMaildirExactlyOnceAfterRestart() throws Exception {
        int port = freePort();
        Path config = quickstart(port);

        Process first = serve(config, "server-1.log");
        awaitPort(port, first);
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(Thread.ofPlatform().start(() -> send(port, next, acknowledged, () -> {
                // Kill right after this 250: other clients are mid-transaction, the queue mid-delivery.
                if (acknowledged.size() >= KILL_AFTER && killed.compareAndSet(false, true)) first.destroyForcibly();
            })));
        }
        for (Thread t : clients) t.join();
        boolean clientsGaveUpEarly = killed.compareAndSet(false, true);
        if (clientsGaveUpEarly) first.destroyForcibly();
        assertThat(first.waitFor()).as("exit status of a SIGKILLed JVM").isEqualTo(137);
        assertThat(clientsGaveUpEarly).as("clients stopped before the kill; see server-1.log").isFalse();
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(KILL_AFTER);

        Process second = serve(config, "server-2.log");
        awaitPort(port, second);
        Path maildir = dir.resolve("data/mail/example.com/bob");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<Integer, Integer> stored = markersIn(maildir);
        while (!stored.keySet().containsAll(acknowledged) || !spoolEmpty()) {
            assertThat(System.nanoTime() < deadline).as("all acknowledged mail delivered in time; see server-2.log").isTrue();
            Thread.sleep(200);
            stored = markersIn(maildir);
        }
        for (int n : acknowledged) assertThat(stored.get(n)).as("copies of acknowledged message %d", n).isEqualTo(1);
        assertThat(stored.values()).as("no message stored twice").allMatch(count -> count == 1);
    }

    /** One client: sends messages until the server goes away; records each number that got 250. */
    private static void send(int port, AtomicInteger next, Set<Integer> acknowledged, Runnable after250) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            command(out, in, "EHLO client.test", "250");
            while (true) {
                int n = next.getAndIncrement();
                command(out, in, "MAIL FROM:<alice@example.org>", "250");
                command(out, in, "RCPT TO:<bob@example.com>", "250");
                command(out, in, "DATA", "354");
                String body = "From: alice@example.org\r\nTo: bob@example.com\r\nSubject: crash test " + n
                        + "\r\nX-Crash-Marker: " + n + "\r\n\r\n" + "Line of text to give the message some size.\r\n".repeat(80)
                        + ".\r\n";
                out.write(body.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                expect(in, "250");
                acknowledged.add(n);
                after250.run();
            }
        } catch (IOException e) {
            // The server was killed: this client is done.
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(in, code);
    }

    private static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) throw new IOException("connection closed");
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) throw new IOException("unexpected reply: " + line);
    }

    private Map<Integer, Integer> markersIn(Path maildir) throws IOException {
        Map<Integer, Integer> counts = new HashMap<>();
        for (String sub : List.of("new", "cur")) {
            Path d = maildir.resolve(sub);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.toList()) {
                    Matcher m = MARKER.matcher(Files.readString(f));
                    if (m.find()) counts.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private boolean spoolEmpty() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("data/queue/spool"))) {
            return s.findAny().isEmpty();
        }
    }

    private Path quickstart(int port) throws Exception {
        Process p = java("quickstart.log", "quickstart", "bob@example.com", "--dir", dir.toString(), "--hostname", "mx.test");
        assertThat(p.waitFor()).as("quickstart exit code; see quickstart.log").isZero();
        Path config = dir.resolve("depesche.toml");
        String toml = Files.readString(config);
        // Only the MX listener, on a free port.
        toml = toml.replaceAll("(?m)^smtp\\s*=.*$", "smtp = \"127.0.0.1:" + port + "\"")
                .replaceAll("(?m)^submission\\s*=.*$", "submission = \"\"")
                .replaceAll("(?m)^submissions\\s*=.*$", "submissions = \"\"");
        Files.writeString(config, toml);
        return config;
    }

    private Process serve(Path config, String log) throws IOException {
        Process p = java(log, "serve", "--config", config.toString());
        processes.add(p);
        return p;
    }

    private Process java(String log, String... args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                "org.depesche.cli.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile()).start();
    }

    private static void awaitPort(int port, Process server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertThat(server.isAlive()).as("server still running").isTrue();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                assertThat(System.nanoTime() < deadline).as("server listening within 60 s").isTrue();
                Thread.sleep(100);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
