package org.depesche.smtp.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.depesche.mail.MailAddress;
import org.depesche.store.Durable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link RefusalDigest} has not yet told each account, kept in one small
 * JSON file per account under {@code <data>/refusals/} so that a restart
 * still sends it. Files are named by the SHA-256 of the address (any address
 * makes a safe name) and replaced by rename. They are not fsynced: a
 * restart, even after kill -9, finds them, and a power cut costing the last
 * few notices is not worth an fsync for every refused RCPT a peer can send.
 */
final class RefusalFiles {
    private static final Logger log = LoggerFactory.getLogger(RefusalFiles.class);

    /** An account's refusals not yet sent, how many more there were, and when its last digest went out. */
    record State(List<RefusalDigest.Refusal> pending, int notListed, Instant lastSent) {
    }

    private record Stored(String account, List<StoredRefusal> pending, int notListed, String lastSent) {
    }

    private record StoredRefusal(String at, String sender, String recipient, String peer, String helo, String reason) {
    }

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();

    RefusalFiles(Path dir) {
        this.dir = dir;
    }

    /** Every account's saved state, at most {@code max}; unreadable files are logged and left alone. */
    Map<MailAddress, State> load(int max) {
        Map<MailAddress, State> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                if (out.size() >= max) break;
                try {
                    Stored s = json.readValue(f.toFile(), Stored.class);
                    out.put(MailAddress.parse(s.account()), new State(s.pending().stream().map(RefusalFiles::refusal).toList(),
                            s.notListed(), s.lastSent() == null ? null : Instant.parse(s.lastSent())));
                } catch (IOException | RuntimeException e) {
                    log.error("event=refusal-file-unreadable file={} error=\"{}\"", f, e.getMessage());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            log.error("event=refusal-files-unreadable dir={} error=\"{}\"", dir, e.getMessage());
        }
        return out;
    }

    void save(MailAddress account, State state) {
        List<StoredRefusal> pending = state.pending().stream().map(r -> new StoredRefusal(r.at().toString(), r.sender(),
                r.recipient(), r.peer(), r.helo(), r.reason())).toList();
        Path file = file(account);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Durable.createDirectories(dir);
            byte[] data = json.writeValueAsBytes(new Stored(account.toString(), pending, state.notListed(),
                    state.lastSent() == null ? null : state.lastSent().toString()));
            try (FileChannel c = Durable.createPrivate(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) c.write(b);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.error("event=refusal-file-write-failed account={} error=\"{}\"", account, e.getMessage());
        }
    }

    void delete(MailAddress account) {
        try {
            Files.deleteIfExists(file(account));
        } catch (IOException e) {
            log.error("event=refusal-file-delete-failed account={} error=\"{}\"", account, e.getMessage());
        }
    }

    private static RefusalDigest.Refusal refusal(StoredRefusal r) {
        return new RefusalDigest.Refusal(Instant.parse(r.at()), r.sender(), r.recipient(), r.peer(), r.helo(), r.reason());
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
