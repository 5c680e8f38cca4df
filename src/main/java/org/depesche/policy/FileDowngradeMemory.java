package org.depesche.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import org.depesche.mail.DomainName;
import org.depesche.store.Durable;
import org.depesche.store.JsonFiles;
import org.depesche.transport.Strength;

/**
 * {@link DowngradeMemory} as one JSON file per domain,
 * {@code <data>/policy/<domain key>.json} (0600, in a 0700 directory),
 * replaced whole with {@link JsonFiles#replace}, so a crash leaves either the
 * old or the new entry. Read from the file at every {@link #get}: a
 * `depesche policy reset` in another process takes effect at the next
 * delivery attempt.
 */
public final class FileDowngradeMemory implements DowngradeMemory {
    private final Path dir;

    private record Stored(String domain, String protection, String mx, String at) {
    }

    /** {@code dir} is {@code <data>/policy}; it is created on the first write. */
    public FileDowngradeMemory(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<Entry> get(String domain) throws IOException {
        Path file = file(domain);
        try {
            return JsonFiles.read(file, Stored.class)
                    .map(s -> new Entry(s.domain(), DowngradeMemory.named(s.protection()), s.mx(), Instant.parse(s.at())));
        } catch (IOException | RuntimeException e) {
            throw new IOException("unreadable downgrade memory " + file + ": " + e.getMessage(), e);
        }
    }

    /** Synchronized so that two deliveries to one domain cannot lower it by racing (within this process). */
    @Override
    public synchronized boolean remember(String domain, Strength protection, String mx, Instant at) throws IOException {
        Optional<Entry> old = get(domain);
        if (old.isPresent() && old.get().protection().atLeast(DowngradeMemory.remembered(protection))) return false;
        String name = normalize(domain);
        JsonFiles.replace(file(domain), new Stored(name, DowngradeMemory.label(protection), mx, at.toString()));
        return true;
    }

    @Override
    public synchronized boolean reset(String domain) throws IOException {
        boolean existed = Files.deleteIfExists(file(domain));
        if (existed) Durable.syncDirectory(dir);
        return existed;
    }

    private Path file(String domain) {
        return dir.resolve(normalize(domain) + ".json");
    }

    /**
     * The {@link DomainName} key: one file per domain however it was spelled
     * (THREATS T10 must not be bypassed by another spelling), and never a
     * path, since a key has only letters, digits, '-' and non-empty labels.
     * {@link org.depesche.mail.InvalidDomainException} for anything else.
     */
    private static String normalize(String domain) {
        return DomainName.key(domain);
    }
}
