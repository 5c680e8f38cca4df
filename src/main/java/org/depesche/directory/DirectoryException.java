package org.depesche.directory;

/** A directory change that cannot be made, or a directory file that cannot be used; the message is one line. */
public final class DirectoryException extends Exception {
    public DirectoryException(String message) {
        super(message);
    }

    public DirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
