package org.depesche.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;

import org.depesche.crypto.PasswordHasher;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.Test;

/** The directory contract against directory.json, plus what only a file backend promises. */
class FileDirectoryContractTest extends DirectoryContractTest {
    // Cheap Argon2id parameters: these tests are about the directory, not the hash cost.
    private final PasswordHasher hasher = new PasswordHasher(64, 1, 1, 2, new SecureRandom());

    @Override
    DirectoryAdmin create() throws Exception {
        return new FileDirectory(temp.resolve("data/directory.json"), Clock.systemUTC(), hasher);
    }

    @Override
    DirectoryAdmin reopen(DirectoryAdmin dir, SecureSettings configured) throws Exception {
        return new FileDirectory(((FileDirectory) dir).path(), Clock.systemUTC(), hasher, configured);
    }

    @Test
    void aWriteLandsInTheFileWhereAnIndependentlyOpenedDirectorySeesIt() throws Exception {
        dir.addDomain("example.org");
        dir.addUser("alice@example.org", "alice-pw".toCharArray());

        assertThat(Files.readString(temp.resolve("data/directory.json"))).contains("alice@example.org");
        FileDirectory other = new FileDirectory(temp.resolve("data/directory.json"), Clock.systemUTC(), hasher);
        assertThat(other.isLocalDomain("example.org")).isTrue();
        assertThat(other.resolve(MailAddress.parse("alice@example.org"))).containsExactly(MailAddress.parse("alice@example.org"));
        assertThat(other.authenticate("alice@example.org", "alice-pw".toCharArray())).isPresent();
    }
}
