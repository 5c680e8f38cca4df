package org.depesche.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The few fsync patterns the queue and the Maildir need. A rename or a new
 * file is only durable once its directory is fsynced; a new directory only
 * once its parent is (fsync(2), and what Dovecot and Postfix do).
 */
public final class Durable {
    private Durable() {
    }

    /** fsyncs a directory, making renames and creations inside it durable (works on Linux). */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    /** Writes a whole file and fsyncs it; the caller renames it into place and syncs that directory. */
    public static void write(Path file, byte[] data) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) c.write(b);
            c.force(true);
        }
    }

    /** Like Files.createDirectories, but every directory it creates is made durable in its parent. */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) createDirectories(parent);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) throw e;
            return;
        }
        if (parent != null) syncDirectory(parent);
    }
}
