package org.depesche.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.depesche.mail.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RefusalStore} as one small JSON file per account under
 * {@code <data>/refusals/}. Files are named by the SHA-256 of the address
 * (any address makes a safe name), created 0600 in a 0700 directory and
 * replaced by rename. They are not fsynced: a restart, even after kill -9,
 * finds them, and a power cut costing the last few notices is not worth an
 * fsync for every refused RCPT a peer can send.
 */
public final class FileRefusalStore implements RefusalStore {
    private static final Logger log = LoggerFactory.getLogger(FileRefusalStore.class);

    private record Stored(String account, List<StoredRefusal> pending, int notListed, String lastSent) {
    }

    private record StoredRefusal(String at, String sender, String recipient, String peer, String helo, String reason) {
    }

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();

    /** {@code dir} is {@code <data>/refusals}; it is created on the first save. */
    public FileRefusalStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public Map<MailAddress, Pending> load(int max) {
        Map<MailAddress, Pending> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                if (out.size() >= max) break;
                try {
                    Stored s = json.readValue(f.toFile(), Stored.class);
                    out.put(MailAddress.parse(s.account()), new Pending(s.pending().stream().map(FileRefusalStore::refusal).toList(),
                            s.notListed(), Optional.ofNullable(s.lastSent()).map(Instant::parse)));
                } catch (IOException | RuntimeException e) {
                    log.error("event=refusal-file-unreadable file={} error=\"{}\"", f, e.getMessage());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            log.error("event=refusal-files-unreadable dir={} error=\"{}\"", dir, e.getMessage());
        }
        return out;
    }

    @Override
    public void save(MailAddress account, Pending pending) {
        List<StoredRefusal> refusals = pending.refusals().stream().map(r -> new StoredRefusal(r.at().toString(), r.sender(),
                r.recipient(), r.peer(), r.helo(), r.reason())).toList();
        try {
            byte[] data = json.writeValueAsBytes(new Stored(account.toString(), refusals, pending.notListed(),
                    pending.lastSent().map(Instant::toString).orElse(null)));
            Durable.replaceWithoutSync(file(account), data);
        } catch (IOException e) {
            log.error("event=refusal-file-write-failed account={} error=\"{}\"", account, e.getMessage());
        }
    }

    @Override
    public void delete(MailAddress account) {
        try {
            Files.deleteIfExists(file(account));
        } catch (IOException e) {
            log.error("event=refusal-file-delete-failed account={} error=\"{}\"", account, e.getMessage());
        }
    }

    private static Refusal refusal(StoredRefusal r) {
        return new Refusal(Instant.parse(r.at()), r.sender(), r.recipient(), r.peer(), r.helo(), r.reason());
    }

    private Path file(MailAddress account) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(account.toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(hash) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
