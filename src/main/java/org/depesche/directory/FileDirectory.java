package org.depesche.directory;

import java.nio.file.Path;
import java.time.Clock;

import org.depesche.crypto.PasswordHasher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory kept in {@code <data>/directory.json} ({@link DirectoryFile}
 * reads it and changes it under its lock). Reads go to an in-memory
 * snapshot; at most every {@link #RECHECK_MILLIS} ms a lookup checks whether
 * the file was replaced (by the CLI) and loads the new one. A file that
 * cannot be parsed is logged and the old snapshot kept. What the content
 * means is {@link RoutingRules}'s, not this class's.
 */
public final class FileDirectory extends StoredDirectory {
    private static final Logger log = LoggerFactory.getLogger(FileDirectory.class);
    static final long RECHECK_MILLIS = 200;

    private final DirectoryFile file;
    private final Clock clock;
    private final Object reloadLock = new Object();

    private volatile Loaded loaded;
    private volatile long lastCheck;

    /** One version of the file: its stamp (to notice a replacement) and what it says. */
    private record Loaded(DirectoryFile.Stamp stamp, DirectorySnapshot snapshot) {
    }

    public FileDirectory(Path file) throws DirectoryException {
        this(file, Clock.systemUTC(), new PasswordHasher());
    }

    /** Reads the file now: a missing file is an empty directory, an unreadable one an error. */
    public FileDirectory(Path file, Clock clock, PasswordHasher hasher) throws DirectoryException {
        this(file, clock, hasher, SecureSettings.NONE);
    }

    /**
     * As above, with the [secure] entries of depesche.toml laid over the
     * file; one that contradicts the file (an alias domain that is a local
     * domain there) is an error.
     */
    public FileDirectory(Path file, Clock clock, PasswordHasher hasher, SecureSettings configured) throws DirectoryException {
        super(hasher, configured);
        this.file = new DirectoryFile(file);
        this.clock = clock;
        this.loaded = load(this.file.read());
        this.lastCheck = clock.millis();
    }

    /** An installation's directory: {@code <data>/directory.json} with the [secure] entries of its config laid over it. */
    public static FileDirectory of(org.depesche.config.Config config, Clock clock) throws DirectoryException {
        return new FileDirectory(config.dataDir().resolve("directory.json"), clock, new PasswordHasher(),
                SecureSettings.from(config.secure()));
    }

    public Path path() {
        return file.path();
    }

    private Loaded load(DirectoryFile.Read read) throws DirectoryException {
        return new Loaded(read.stamp(), snapshotOf(read.data(), file.path().toString()));
    }

    @Override
    void store(DirectoryChange change) throws DirectoryException {
        DirectoryFile.Read written = file.update(change);
        synchronized (reloadLock) {
            loaded = load(written);
            lastCheck = clock.millis();
        }
    }

    @Override
    DirectorySnapshot current() {
        long now = clock.millis();
        if (now - lastCheck < RECHECK_MILLIS && now >= lastCheck) return loaded.snapshot();
        synchronized (reloadLock) {
            if (now - lastCheck < RECHECK_MILLIS && now >= lastCheck) return loaded.snapshot();
            lastCheck = now;
            try {
                if (file.stamp().equals(loaded.stamp())) return loaded.snapshot();
                loaded = load(file.read());
                log.info("directory=reloaded file={} {}", file.path(), loaded.snapshot().summary());
            } catch (DirectoryException | java.io.IOException e) {
                log.error("directory=reload-failed error=\"{}\" keeping=previous", e.getMessage());
            }
            return loaded.snapshot();
        }
    }

    @Override
    public String toString() {
        return "FileDirectory[" + file.path() + "]";
    }
}
