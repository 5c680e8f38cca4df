package org.depesche.mtasts;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.DomainName;
import org.depesche.store.JsonFiles;

/**
 * {@link PolicyStore} as one JSON file per domain,
 * {@code <data>/mta-sts/<domain key>.json} (0600, in a 0700 directory),
 * holding the TXT id, the policy text as fetched and the fetch time, and
 * replaced whole with {@link JsonFiles#replace}, so a crash leaves the old or
 * the new policy.
 */
public final class FilePolicyStore implements PolicyStore {
    private final Path dir;

    private record Stored(String domain, String id, String policy, String fetched) {
    }

    /** {@code dir} is {@code <data>/mta-sts}; it is created on the first write. */
    public FilePolicyStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<PolicyCache.Entry> get(String domainKey) throws IOException {
        Path file = file(domainKey);
        try {
            Optional<Stored> s = JsonFiles.read(file, Stored.class);
            return s.isEmpty() ? Optional.empty() : Optional.of(decode(s.get()));
        } catch (IOException | PolicyException | RuntimeException e) {
            throw new IOException("unreadable MTA-STS cache entry " + file + ": " + e.getMessage(), e);
        }
    }

    /** Synchronized: two writers of one domain would share its temporary file. */
    @Override
    public synchronized void put(PolicyCache.Entry entry) throws IOException {
        JsonFiles.replace(file(entry.domain()), new Stored(entry.domain(), entry.id(), entry.policy().toText(),
                entry.fetched().toString()));
    }

    /** Files whose name is no domain key (none this store wrote) are passed over. */
    @Override
    public List<PolicyCache.Entry> all() throws IOException {
        List<PolicyCache.Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) return entries;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                String name = n.substring(0, n.length() - ".json".length());
                if (isKey(name)) get(name).ifPresent(entries::add);
            }
        }
        return entries;
    }

    private static PolicyCache.Entry decode(Stored s) throws PolicyException {
        StsPolicy p = StsPolicy.parse(s.policy());
        Instant fetched = Instant.parse(s.fetched());
        return new PolicyCache.Entry(s.domain(), s.id(), p, fetched, fetched.plusSeconds(p.maxAge()));
    }

    /** A key has only letters, digits, '-' and non-empty labels, so it is never another path. */
    private Path file(String domainKey) {
        if (!isKey(domainKey)) throw new IllegalArgumentException("not a domain key: " + domainKey);
        return dir.resolve(domainKey + ".json");
    }

    private static boolean isKey(String name) {
        return DomainName.keyIfValid(name).filter(name::equals).isPresent();
    }
}
