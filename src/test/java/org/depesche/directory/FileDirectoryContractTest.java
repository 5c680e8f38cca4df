package org.depesche.directory;

import java.security.SecureRandom;
import java.time.Clock;

import org.depesche.crypto.PasswordHasher;

/** The directory contract against directory.json. */
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
}
