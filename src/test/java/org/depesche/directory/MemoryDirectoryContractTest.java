package org.depesche.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The directory contract against the in-memory test double, so that tests using it see what a server would. */
class MemoryDirectoryContractTest extends DirectoryContractTest {
    @Override
    DirectoryAdmin create() {
        return new MemoryDirectory();
    }

    @Override
    DirectoryAdmin reopen(DirectoryAdmin dir, SecureSettings configured) throws Exception {
        return ((MemoryDirectory) dir).reopen(configured);
    }

    @Test
    void theDoubleKeepsItsContentInMemoryAndWritesNoFile() throws Exception {
        dir.addDomain("example.org");
        dir.addUser("alice@example.org", "alice-pw".toCharArray());

        assertThat(reopen(dir, SecureSettings.NONE).isLocalDomain("example.org")).isTrue();
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).isEmpty();
        }
    }
}
