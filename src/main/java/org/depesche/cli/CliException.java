package org.depesche.cli;

/** A failure a user can fix, printed as one line with exit code 2 (bad input, an existing file, ...). */
public final class CliException extends Exception {
    public CliException(String message) {
        super(message);
    }
}
