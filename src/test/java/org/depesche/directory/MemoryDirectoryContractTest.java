package org.depesche.directory;

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
}
