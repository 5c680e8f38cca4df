package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.depesche.configfile.ConfigLoader;
import org.depesche.directory.FileDirectory;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `depesche serve` as a separate process (its working directory is what
 * matters). The quickstart's ports are fixed (2525, 2587, 2465), so each test
 * decides who holds them instead of depending on what else runs on this
 * machine: the first holds 2525 itself, the second moves the listeners to
 * port 0.
 */
class ServeProcessTest {
    @TempDir
    Path dir;

    /** What a process printed (stdout and stderr) and its exit code. */
    private record Run(List<String> lines, int exitCode) {
        String all() {
            return String.join("\n", lines);
        }
    }

    @Test
    void serveWithoutAConfigFileRunsQuickstartForPostmasterAtLocalhostFirst() throws Exception {
        try (ServerSocket taken = holdPort(2525)) {
            Run run = depesche(false, "serve");

            assertThat(run.all()).contains("No depesche.toml here: running 'depesche quickstart postmaster@localhost'")
                    .contains("Starting the server now; next time start it with:").doesNotContain("Start the server:");
            assertThat(ConfigLoader.load(dir.resolve("depesche.toml")).listen().smtp().port()).isEqualTo(2525);
            assertThat(dir.resolve("tls/cert.pem")).exists();
            FileDirectory directory = new FileDirectory(dir.resolve("data/directory.json"));
            assertThat(directory.domains()).containsExactly("localhost");
            assertThat(directory.resolve(MailAddress.parse("postmaster@localhost")))
                    .containsExactly(MailAddress.parse("postmaster@localhost"));
            // The port this test holds: the failure is one clear line and exit code 2.
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.lines().getLast()).startsWith("depesche: cannot listen on ").contains("2525");
        }
    }

    @Test
    void theQuickstartConfigurationServesUntilSigtermAndThenStopsCleanly() throws Exception {
        assertThat(depesche(false, "quickstart", "postmaster@localhost").exitCode()).isZero();
        Path toml = dir.resolve("depesche.toml");
        String config = Files.readString(toml);
        for (String port : List.of("2525", "2587", "2465")) {
            assertThat(config).contains("\"127.0.0.1:" + port + "\"");
            config = config.replace("\"127.0.0.1:" + port + "\"", "\"127.0.0.1:0\"");
        }
        Files.writeString(toml, config);

        Run run = depesche(true, "serve");

        assertThat(run.all()).doesNotContain("No depesche.toml here")
                .containsPattern("depesche: listening smtp=127\\.0\\.0\\.1:\\d+ submission=127\\.0\\.0\\.1:\\d+ submissions=127\\.0\\.0\\.1:\\d+ ")
                .contains("event=stopped");
    }

    /**
     * Binds 127.0.0.1:{@code port}, waiting while another program (another
     * build running this test) has it, so that it is certainly taken.
     */
    private static ServerSocket holdPort(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            ServerSocket socket = new ServerSocket();
            try {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return socket;
            } catch (BindException busy) {
                socket.close();
                if (System.nanoTime() > deadline) throw new AssertionError("port " + port + " stayed taken for 2 minutes", busy);
                Thread.sleep(200);
            }
        }
    }

    /** Runs depesche in {@link #dir}; with {@code stopWhenListening}, sends SIGTERM once it says it listens. */
    private Run depesche(boolean stopWhenListening, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.add(line);
                if (stopWhenListening && line.startsWith("depesche: listening ")) {
                    p.toHandle().destroy(); // SIGTERM (keeps our end of the pipe open): the shutdown hook closes the server
                }
            }
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        return new Run(output, p.waitFor());
    }
}
