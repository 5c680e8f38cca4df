package org.depesche.directory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.depesche.store.Durable;

/**
 * directory.json on disk: reading, and read-modify-write under an exclusive
 * lock on a sibling lock file so that two CLI invocations cannot lose each
 * other's change. The new content goes to a temporary file that is fsynced
 * and renamed over the old one, so a reader (the running server) sees the
 * old file or the new one, never a half-written one. The data directory is
 * created 0700 and the lock file 0600 (one left open to others is closed to
 * them): a user who could open the lock file could hold a lock on it and
 * freeze every change; a lock held anyway ends the wait after {@link
 * #LOCK_WAIT} (issue 8 finding 10).
 */
final class DirectoryFile {
    /** How long a change waits for the lock before it gives up with a {@link DirectoryException}. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final Path lockFile;
    private final ObjectMapper json = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** What the file looked like when read; a rename gives a new file key, so every write changes it. */
    record Stamp(Object fileKey, Instant modified, long size) {
        static final Stamp MISSING = new Stamp(null, Instant.EPOCH, -1);
    }

    record Read(DirectoryData data, Stamp stamp) {
    }

    DirectoryFile(Path file) {
        this.file = file.toAbsolutePath();
        String name = this.file.getFileName().toString();
        this.lockFile = this.file.resolveSibling(name.replaceFirst("\\.json$", "") + ".lock");
    }

    Path path() {
        return file;
    }

    Stamp stamp() throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime().toInstant(), a.size());
        } catch (NoSuchFileException e) {
            return Stamp.MISSING;
        }
    }

    /** Reads the file; a missing file is an empty directory. */
    Read read() throws DirectoryException {
        try {
            // Stamp first: if the file changes in between, the next check sees a newer stamp and reads again.
            Stamp stamp = stamp();
            if (stamp == Stamp.MISSING) return new Read(DirectoryData.empty(), stamp);
            DirectoryData data = json.readValue(file.toFile(), DirectoryData.class);
            if (data.version() > DirectoryData.VERSION)
                throw new DirectoryException(file + ": written by a newer Depesche (version " + data.version() + ")");
            return new Read(data, stamp);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String line = at == null ? "" : ":" + at.getLineNr();
            throw new DirectoryException(file + line + ": " + e.getOriginalMessage().lines().findFirst().orElse("invalid JSON"), e);
        } catch (NoSuchFileException e) {
            return new Read(DirectoryData.empty(), Stamp.MISSING);
        } catch (IOException e) {
            throw new DirectoryException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Applies {@code change} to the current file content under the lock and writes the result. */
    Read update(DirectoryChange change) throws DirectoryException {
        try {
            Durable.createDirectories(file.getParent());
            try (FileChannel channel = openLockFile();
                 FileLock ignored = lock(channel)) {
                DirectoryData next = change.apply(read().data());
                write(next);
                return new Read(next, stamp());
            }
        } catch (IOException e) {
            throw new DirectoryException("cannot update " + file + ": " + e.getMessage(), e);
        }
    }

    /** Created 0600; an older one left readable by others is made 0600, if it is ours to change. */
    private FileChannel openLockFile() throws IOException {
        FileChannel channel = Durable.createPrivate(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        PosixFileAttributeView posix = Files.getFileAttributeView(lockFile, PosixFileAttributeView.class);
        try {
            if (posix != null && !posix.readAttributes().permissions().equals(OWNER_READ_WRITE))
                posix.setPermissions(OWNER_READ_WRITE);
        } catch (IOException e) {
            // Another user's file (we run as root, say): the wait below still ends.
        }
        return channel;
    }

    /**
     * The lock, waiting at most {@link #LOCK_WAIT}. File locks belong to the
     * process, so another FileDirectory in this JVM holding it shows up as
     * overlap, and another process as no lock; both are waited for alike.
     */
    private FileLock lock(FileChannel channel) throws IOException, DirectoryException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) return lock;
            } catch (OverlappingFileLockException e) {
                // held in this JVM: wait as for another process
            }
            if (System.nanoTime() - deadline > 0) throw lockHeld();
            try {
                Thread.sleep(20);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + lockFile, ie);
            }
        }
    }

    private DirectoryException lockHeld() {
        String who;
        try {
            PosixFileAttributes a = Files.readAttributes(lockFile, PosixFileAttributes.class);
            who = "owner " + a.owner().getName() + ", mode " + PosixFilePermissions.toString(a.permissions());
        } catch (IOException | UnsupportedOperationException e) {
            who = "its owner and mode unknown";
        }
        return new DirectoryException(lockFile + ": another process holds it, so the directory was not changed (waited "
                + LOCK_WAIT.toSeconds() + " s); it may be another depesche user/alias/domain command, or any process "
                + "of a user who can open the file (" + who + ")");
    }

    private void write(DirectoryData data) throws IOException {
        Path dir = file.getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        // 0600: the file holds password hashes.
        Path tmp = posix
                ? Files.createTempFile(dir, ".directory", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".directory", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(java.nio.ByteBuffer.wrap(json.writeValueAsBytes(data)));
                out.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory; the rename is still atomic there.
        }
    }
}
