package org.depesche.configfile;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/** Base of the config tests: each test writes its depesche.toml into a fresh directory. */
abstract class TomlFileTest {
    @TempDir
    Path dir;

    /** Writes {@code toml} as {@code dir/depesche.toml} and returns its path. */
    Path write(String toml) throws Exception {
        Path file = dir.resolve("depesche.toml");
        Files.writeString(file, toml);
        return file;
    }
}
