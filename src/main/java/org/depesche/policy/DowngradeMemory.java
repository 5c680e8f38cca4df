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
import org.depesche.transport.Strength;

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

    /**
     * What is remembered for one domain: the protection, the MX that gave it
     * and when. The memory does not tell PKIX reasons apart: an
     * {@link Strength#MTA_STS_VERIFIED} delivery is remembered as
     * {@link Strength#VERIFIED}, so that a domain that drops its MTA-STS
     * policy still gets PKIX, as before the scale had MTA-STS on it.
     */
    public record Entry(String domain, Strength protection, String mx, Instant at) {
        public Entry {
            protection = remembered(protection);
        }

        /** "none", "tls", "verified", "dane": the name the file holds and `policy show` prints. */
        public String label() {
            return DowngradeMemory.label(protection);
        }
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
            return Optional.of(new Entry(s.domain(), named(s.protection()), s.mx(), Instant.parse(s.at())));
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
    public synchronized boolean remember(String domain, Strength protection, String mx, Instant at) throws IOException {
        Optional<Entry> old = get(domain);
        if (old.isPresent() && old.get().protection().atLeast(remembered(protection))) return false;
        Durable.createDirectories(dir);
        String name = normalize(domain);
        Path tmp = dir.resolve("." + name + ".tmp");
        Durable.write(tmp, json.writeValueAsBytes(new Stored(name, label(protection), mx, at.toString())));
        Files.move(tmp, file(domain), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Durable.syncDirectory(dir);
        return true;
    }

    private static Strength remembered(Strength s) {
        return s == Strength.MTA_STS_VERIFIED ? Strength.VERIFIED : s;
    }

    /** The stored name of a protection: the names the files have held since the first release. */
    public static String label(Strength s) {
        return switch (remembered(s)) {
            case PLAINTEXT -> "none";
            case ENCRYPTED -> "tls";
            case DANE_VERIFIED -> "dane";
            default -> "verified";
        };
    }

    /** The protection a stored name ({@link #label}) stands for, in any case. */
    public static Strength named(String label) {
        return switch (label.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> Strength.PLAINTEXT;
            case "tls" -> Strength.ENCRYPTED;
            case "verified" -> Strength.VERIFIED;
            case "dane" -> Strength.DANE_VERIFIED;
            default -> throw new IllegalArgumentException("not a remembered protection: " + label);
        };
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
