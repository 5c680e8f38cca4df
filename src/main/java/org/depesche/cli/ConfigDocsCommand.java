package org.depesche.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.depesche.configfile.ConfigDocs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code depesche config-docs}: the generated configuration reference, for maintainers (hidden from --help). */
@Command(name = "config-docs", hidden = true,
        description = "Prints the configuration reference in Markdown, or writes it between the config-reference markers of FILE.")
final class ConfigDocsCommand implements Callable<Integer> {
    @Option(names = "--write", paramLabel = "FILE", description = "Replace the text between the markers in FILE (e.g. README.md).")
    Path write;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Main main = Main.of(spec);
        if (write == null) {
            main.out.print(ConfigDocs.markdown());
            return 0;
        }
        try {
            ConfigDocs.writeInto(write);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CliException("cannot write the configuration reference into " + write + ": no such file");
        } catch (java.io.IOException e) {
            throw new CliException("cannot write the configuration reference into " + write + ": " + e.getMessage());
        }
        main.out.println("wrote the configuration reference into " + write);
        return 0;
    }
}
