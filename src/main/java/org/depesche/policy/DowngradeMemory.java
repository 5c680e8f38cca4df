package org.depesche.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.depesche.mail.DomainName;
import org.depesche.store.Durable;

/**
 * The best protection seen on a successful delivery, per destination domain
 * (THREATS T10, RFC 7672 6): one JSON file per domain under
 * {@code <data>/policy/}, written to a temporary file, fsynced and renamed,
 * so a crash leaves either the old or the new entry. It only ever rises;
 * {@link #reset} (the operator's `depesche policy reset`) removes it.
 */
public final class DowngradeMemory {
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What is remembered for one domain: the protection, the MX that gave it and when. */
    public record Entry(String domain, Protection protection, String mx, Instant at) {
    }

    private record Stored(String domain, String protection, String mx, String at) {
    }

    /** {@code dir} is {@code <data>/policy}; it is created on the first write. */
    public DowngradeMemory(Path dir) {
        this.dir = dir;
    }

    public Optional<Entry> get(String domain) throws IOException {
        Path file = file(domain);
        try {
            Stored s = json.readValue(Files.readAllBytes(file), Stored.class);
            return Optional.of(new Entry(s.domain(), Protection.parse(s.protection()), s.mx(), Instant.parse(s.at())));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new IOException("unreadable downgrade memory " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records a successful delivery; keeps the entry if it already holds at
     * least this protection. Synchronized so two deliveries to one domain
     * cannot lower it by racing.
     */
    public synchronized boolean remember(String domain, Protection protection, String mx, Instant at) throws IOException {
        Optional<Entry> old = get(domain);
        if (old.isPresent() && old.get().protection().atLeast(protection)) return false;
        Durable.createDirectories(dir);
        String name = normalize(domain);
        Path tmp = dir.resolve("." + name + ".tmp");
        Durable.write(tmp, json.writeValueAsBytes(new Stored(name, protection.label(), mx, at.toString())));
        Files.move(tmp, file(domain), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Durable.syncDirectory(dir);
        return true;
    }

    /** Forgets a domain; false if nothing was remembered. */
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
    static String normalize(String domain) {
        return DomainName.key(domain);
    }
}
