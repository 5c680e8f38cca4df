package org.depesche.configfile;

import java.nio.file.Path;

/**
 * A configuration file that cannot be used. {@link #getMessage()} is one
 * line, "file:line: message" (or "file: message" when no line applies),
 * which the CLI prints as it is.
 */
public final class ConfigException extends Exception {
    private final Path file;
    private final int line;
    private final String detail;

    public ConfigException(Path file, int line, String message) {
        this(file, line, message, null);
    }

    public ConfigException(Path file, int line, String message, Throwable cause) {
        super((file == null ? "" : file + (line > 0 ? ":" + line : "") + ": ") + message, cause);
        this.file = file;
        this.line = line;
        this.detail = message;
    }

    public Path file() {
        return file;
    }

    /** 1-based line, 0 if the error belongs to no particular line. */
    public int line() {
        return line;
    }

    /** The message without the file and line prefix. */
    public String detail() {
        return detail;
    }
}
