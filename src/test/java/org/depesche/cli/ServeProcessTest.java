package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.depesche.configfile.ConfigLoader;
import org.depesche.directory.FileDirectory;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `depesche serve` in a directory without depesche.toml, as a separate
 * process (its working directory is what matters). It listens on the
 * quickstart's fixed ports, which another program on this machine may hold:
 * the test asserts the first run, and the clean shutdown only when the
 * server did start.
 */
class ServeProcessTest {
    @TempDir
    Path dir;

    @Test
    void serveWithoutAConfigFileRunsQuickstartForPostmasterAtLocalhostFirst() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        List<String> output = new ArrayList<>();
        boolean listening = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.add(line);
                if (line.startsWith("depesche: listening ")) {
                    listening = true;
                    p.toHandle().destroy(); // SIGTERM (keeps our end of the pipe open): the shutdown hook closes the server
                }
            }
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        String all = String.join("\n", output);

        assertThat(all).contains("No depesche.toml here: running 'depesche quickstart postmaster@localhost'")
                .contains("Starting the server now; next time start it with:").doesNotContain("Start the server:");
        assertThat(ConfigLoader.load(dir.resolve("depesche.toml")).listen().smtp().port()).isEqualTo(2525);
        assertThat(dir.resolve("tls/cert.pem")).exists();
        FileDirectory directory = new FileDirectory(dir.resolve("data/directory.json"));
        assertThat(directory.domains()).containsExactly("localhost");
        assertThat(directory.resolve(MailAddress.parse("postmaster@localhost"))).containsExactly(MailAddress.parse("postmaster@localhost"));
        if (listening) {
            assertThat(all).contains("depesche: listening smtp=127.0.0.1:2525 submission=127.0.0.1:2587 submissions=127.0.0.1:2465");
            assertThat(all).contains("event=stopped");
        } else {
            // The ports were taken: the failure must still be one clear line.
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(output.getLast()).startsWith("depesche: cannot listen on ");
        }
    }
}
