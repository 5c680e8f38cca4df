package org.depesche.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The few fsync patterns the queue, the Maildir and the small JSON stores need. A rename or a new
 * file is only durable once its directory is fsynced; a new directory only
 * once its parent is (fsync(2), and what Dovecot and Postfix do).
 */
public final class Durable {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private Durable() {
    }

    /**
     * Opens a new file as 0600: queued and delivered mail is private to the
     * server's user whatever the umask (Dovecot's own files are 0600 too).
     */
    public static FileChannel createPrivate(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> opts = Set.of(options);
        return POSIX ? FileChannel.open(file, opts, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(file, opts);
    }

    private static FileAttribute<?>[] privateDirectory() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    /** fsyncs a directory, making renames and creations inside it durable (works on Linux). */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    /** Writes a whole file and fsyncs it; the caller renames it into place and syncs that directory. */
    public static void write(Path file, byte[] data) throws IOException {
        try (FileChannel c = createPrivate(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(c, data);
            c.force(true);
        }
    }

    private static void writeFully(FileChannel c, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) c.write(b);
    }

    /**
     * Replaces the whole of {@code file} (creating its directory, 0700, if
     * need be): the data goes to a temporary file beside it, is fsynced,
     * renamed over it and the directory fsynced, so that a crash or a power
     * cut leaves either the old or the new content, never a mix. The
     * temporary file is {@code .<name>.tmp}, which no {@code *.json} listing
     * matches. For one writer per file: two at once share the temporary file.
     */
    public static void replace(Path file, byte[] data) throws IOException {
        Path tmp = writeBeside(file, data, true);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(tmp.getParent());
    }

    /**
     * {@link #replace} without the fsyncs: a crash of the process (kill -9
     * too) still leaves the old or the new content, a power cut may leave the
     * old one. For notes not worth an fsync each.
     */
    public static void replaceWithoutSync(Path file, byte[] data) throws IOException {
        Files.move(writeBeside(file, data, false), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The temporary file of {@link #replace}, written and (if {@code sync}) fsynced. */
    private static Path writeBeside(Path file, byte[] data, boolean sync) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try (FileChannel c = createPrivate(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(c, data);
            if (sync) c.force(true);
        }
        return tmp;
    }

    /** Like Files.createDirectories, but every directory it creates is 0700 and made durable in its parent. */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) createDirectories(parent);
        try {
            Files.createDirectory(dir, privateDirectory());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) throw e;
            return;
        }
        if (parent != null) syncDirectory(parent);
    }
}
