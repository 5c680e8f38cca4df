package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 finding 10: the data directory and directory.lock are the server
 * user's alone, and a lock held by someone else makes `user add` end with
 * one line and exit code 2 instead of hanging.
 */
class DataDirectoryLockTest {
    /** The attack: a shared lock on a read-only descriptor, held in another JVM until its stdin closes. */
    private static final String HOLDER = """
            import java.nio.channels.FileChannel;
            import java.nio.channels.FileLock;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;

            public class HoldLock {
                public static void main(String[] args) throws Exception {
                    try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ);
                         FileLock l = c.lock(0, Long.MAX_VALUE, true)) {
                        System.out.println("locked");
                        System.out.flush();
                        System.in.read();
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    private CliRun cli(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err, Clock.systemUTC()).run(args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void quickstart() {
        CliRun r = cli("", "quickstart", "alice@example.test", "--dir", dir.toString(), "--hostname", "mx.example.test");
        assertThat(r.code()).as(r.err()).isZero();
    }

    private String config() {
        return dir.resolve("depesche.toml").toString();
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void quickstartMakesTheDataDirectoryAndTheLockFileTheServerUsersAlone() throws Exception {
        quickstart();
        assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("data/directory.lock"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("data/directory.json"))).isEqualTo("rw-------");
    }

    @Test
    void aLockFileLeftOpenToOthersIsClosedToThemAtTheNextChangeAndAnOpenDataDirectoryIsLeftAlone() throws Exception {
        quickstart();
        Files.setPosixFilePermissions(dir.resolve("data"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("data/directory.lock"), PosixFilePermissions.fromString("rw-r--r--"));
        CliRun r = cli("pw\n", "user", "add", "bob@example.test", "--password-stdin", "--config", config());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(mode(dir.resolve("data/directory.lock"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("data"))).isEqualTo("rwxr-xr-x");

        CliRun check = cli("", "check-config", "--config", config());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.err()).isEqualTo("depesche: warning: " + dir.resolve("data") + " is open to other users"
                + " (mode rwxr-xr-x); `chmod 700 " + dir.resolve("data") + "` closes it\n");
        assertThat(mode(dir.resolve("data"))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void aLockHeldByAnotherProcessEndsUserAddWithOneLineAndExitCode2() throws Exception {
        quickstart();
        Path lock = dir.resolve("data/directory.lock").toAbsolutePath();
        Path source = Files.writeString(dir.resolve("HoldLock.java"), HOLDER);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, source.toString(), lock.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(said.readLine()).isEqualTo("locked");

            // Before the fix this waited for ever; 60 s is the 10 s of waiting with room for a slow machine.
            CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(
                    () -> cli("pw\n", "user", "add", "bob@example.test", "--password-stdin", "--config", config()));
            CliRun r = run.completeOnTimeout(null, 60, TimeUnit.SECONDS).join();
            assertThat(r).as("user add ended").isNotNull();
            assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
            assertThat(r.err().lines()).singleElement().asString().startsWith("depesche: ").contains(lock.toString())
                    .contains("another process holds it");
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(30, TimeUnit.SECONDS)) holder.destroyForcibly();
        }
        CliRun after = cli("pw\n", "user", "add", "bob@example.test", "--password-stdin", "--config", config());
        assertThat(after.code()).as(after.err()).isZero();
    }
}
