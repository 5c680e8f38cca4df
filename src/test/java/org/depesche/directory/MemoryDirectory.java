package org.depesche.directory;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.depesche.crypto.PasswordHasher;

/**
 * The directory for tests that need no file: its content lives in memory,
 * and every question and change goes through the same rules as
 * {@link FileDirectory}'s ({@code DirectoryContractTest} runs against both).
 * Passwords are hashed with cheap Argon2id parameters. It counts password
 * checks, so a test can prove that AUTH before TLS never looked at the
 * password (THREATS T8).
 */
public final class MemoryDirectory extends StoredDirectory {
    private static final String SOURCE = "memory";

    /** The stored content, shared with the directories {@link #reopen} makes, as a second process shares a file. */
    private final AtomicReference<DirectoryData> content;
    private final AtomicInteger passwordChecks = new AtomicInteger();
    private volatile Built built;

    private record Built(DirectoryData data, DirectorySnapshot snapshot) {
    }

    /** An empty directory. */
    public MemoryDirectory() {
        this(new AtomicReference<>(DirectoryData.empty()), SecureSettings.NONE,
                new DirectorySnapshot(Set.of(), Map.of(), Map.of(), Map.of(), Map.of()));
    }

    private MemoryDirectory(AtomicReference<DirectoryData> content, SecureSettings configured, DirectorySnapshot snapshot) {
        super(new PasswordHasher(64, 1, 1, 2, new SecureRandom()), configured);
        this.content = content;
        this.built = new Built(content.get(), snapshot);
    }

    /**
     * A directory over the same content with {@code configured} laid over
     * it, as a restart with a changed depesche.toml sees it; a contradiction
     * is refused as FileDirectory refuses to start on one.
     */
    public MemoryDirectory reopen(SecureSettings configured) throws DirectoryException {
        return new MemoryDirectory(content, configured, DirectorySnapshot.of(content.get(), configured, SOURCE));
    }

    /** How often {@link #authenticate} was called. */
    public int passwordChecks() {
        return passwordChecks.get();
    }

    @Override
    public Optional<Account> authenticate(String login, char[] password) {
        passwordChecks.incrementAndGet();
        return super.authenticate(login, password);
    }

    @Override
    DirectorySnapshot current() {
        Built b = built;
        DirectoryData now = content.get();
        if (b.data() == now) return b.snapshot();
        try {
            built = b = build(now);
        } catch (DirectoryException e) {
            // changed by another instance into something this one's config contradicts: keep the previous, as FileDirectory does
        }
        return b.snapshot();
    }

    @Override
    void store(DirectoryChange change) throws DirectoryException {
        synchronized (content) {
            DirectoryData next = change.apply(content.get());
            Built b = build(next);
            content.set(next);
            built = b;
        }
    }

    private Built build(DirectoryData data) throws DirectoryException {
        return new Built(data, snapshotOf(data, SOURCE));
    }
}
