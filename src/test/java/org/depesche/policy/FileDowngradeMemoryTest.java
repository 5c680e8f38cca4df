package org.depesche.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@link FileDowngradeMemory}, and what only the files show: place, format, modes, leftovers. */
class FileDowngradeMemoryTest extends DowngradeMemoryContractTest {
    @TempDir
    Path data;

    @Override
    DowngradeMemory newMemory() {
        return reopened();
    }

    @Override
    DowngradeMemory reopened() {
        return new FileDowngradeMemory(data.resolve("policy"));
    }

    @Test
    void aDomainIsOneJsonFileNamedByItsKeyPrivateToTheServer() throws Exception {
        newMemory().remember("Example.ORG.", Protection.VERIFIED, MX, AT);
        Path file = data.resolve("policy/example.org.json");
        try (Stream<Path> files = Files.list(data.resolve("policy"))) {
            assertThat(files.toList()).containsExactly(file);
        }
        assertThat(Files.readString(file)).isEqualToNormalizingNewlines("""
                {
                  "domain" : "example.org",
                  "protection" : "verified",
                  "mx" : "mx.example.org",
                  "at" : "2026-11-01T10:00:00Z"
                }""");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("policy"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void nothingIsWrittenBeforeTheFirstDelivery() throws Exception {
        DowngradeMemory m = newMemory();
        m.get("example.org");
        m.reset("example.org");
        assertThat(data.resolve("policy")).doesNotExist();
    }

    @Test
    void aBrokenFileIsAnErrorNamingItNotAForgottenDomain() throws Exception {
        Files.createDirectories(data.resolve("policy"));
        Files.writeString(data.resolve("policy/example.org.json"), "{\"domain\": \"example.org\", \"protection\": \"da");
        assertThatThrownBy(() -> newMemory().get("example.org")).isInstanceOf(IOException.class)
                .hasMessageContaining("unreadable downgrade memory").hasMessageContaining("example.org.json");
    }

    @Test
    void aRaisedEntryLeavesNoTemporaryFileBehind() throws Exception {
        DowngradeMemory m = newMemory();
        m.remember("example.org", Protection.TLS, MX, AT);
        m.remember("example.org", Protection.DANE, MX, AT);
        try (Stream<Path> files = Files.list(data.resolve("policy"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("example.org.json");
        }
    }
}
