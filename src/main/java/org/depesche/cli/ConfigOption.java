package org.depesche.cli;

import java.nio.file.Path;

import org.depesche.config.Config;
import org.depesche.configfile.ConfigException;
import org.depesche.configfile.ConfigLoader;

import picocli.CommandLine.Option;

/**
 * {@code --config FILE} for every command that works on an installation
 * (default ./depesche.toml). Use it as {@code @Mixin ConfigOption config;}
 * and call {@link #load()}: a ConfigException it throws is printed by Main
 * as one line with exit code 2.
 */
public final class ConfigOption {
    public static final Path DEFAULT = Path.of("depesche.toml");

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: ./depesche.toml).")
    private Path file;

    /** The file given with --config, or ./depesche.toml. */
    public Path file() {
        return file == null ? DEFAULT : file;
    }

    /** True if --config was given on the command line. */
    public boolean given() {
        return file != null;
    }

    public Config load() throws ConfigException {
        return ConfigLoader.load(file());
    }

    /** The data directory of the configured installation. */
    public Path dataDir() throws ConfigException {
        return load().dataDir();
    }
}
