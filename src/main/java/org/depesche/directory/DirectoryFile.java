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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * directory.json on disk: reading, and read-modify-write under an exclusive
 * lock on a sibling lock file so that two CLI invocations cannot lose each
 * other's change. The new content goes to a temporary file that is fsynced
 * and renamed over the old one, so a reader (the running server) sees the
 * old file or the new one, never a half-written one.
 */
final class DirectoryFile {
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

    @FunctionalInterface
    interface Change {
        DirectoryData apply(DirectoryData current) throws DirectoryException;
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
    Read update(Change change) throws DirectoryException {
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lock(channel)) {
                DirectoryData next = change.apply(read().data());
                write(next);
                return new Read(next, stamp());
            }
        } catch (IOException e) {
            throw new DirectoryException("cannot update " + file + ": " + e.getMessage(), e);
        }
    }

    private static FileLock lock(FileChannel channel) throws IOException {
        // File locks belong to the process: another FileDirectory in this JVM holding it shows up as overlap.
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException e) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + channel, ie);
                }
            }
        }
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
