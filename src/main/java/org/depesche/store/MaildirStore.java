package org.depesche.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.depesche.mail.MailAddress;

/**
 * Mailboxes as Maildir++ directories that Dovecot serves unchanged with
 * {@code mail_location = maildir:<data>/mail/%d/%n}: one directory per
 * account at {@code <mailRoot>/<domain>/<lower-cased local part>/} with
 * {@code tmp/ new/ cur/}, created on first delivery. A message is written to
 * tmp/, fsynced, renamed into new/ and new/ is fsynced: the Maildir delivery
 * protocol, made durable. Files get LF line ends (what Dovecot stores) and
 * the name {@code <seconds>.<deliveryKey>.<hostname>,S=<size>,W=<crlf-size>}
 * (Dovecot reads S= as the file size and W= as the RFC 5322 size);
 * {@link #open} gives a message back with CRLF line ends again. Files are
 * 0600 and directories 0700. A crash between tmp/ and new/ leaves a file in
 * tmp/ that no reader and no {@link #contains} sees; the queue then delivers
 * again, and a Maildir reader removes such leftovers after 36 hours (the
 * Maildir convention; Depesche itself never reads tmp/).
 */
public final class MaildirStore implements MailboxStore {
    private static final int BUFFER = 65536;

    private final Path mailRoot;
    private final String hostname;
    private final Clock clock;

    public MaildirStore(Path mailRoot, String hostname) {
        this(mailRoot, hostname, Clock.systemUTC());
    }

    public MaildirStore(Path mailRoot, String hostname, Clock clock) {
        this.mailRoot = mailRoot.toAbsolutePath();
        this.hostname = safeHostname(hostname);
        this.clock = clock;
    }

    /** The Maildir of an account; throws IllegalArgumentException if the address cannot be a directory name. */
    public Path maildir(MailAddress mailbox) {
        return mailRoot.resolve(segment(mailbox.domain())).resolve(segment(mailbox.normalizedLocalPart()));
    }

    @Override
    public void deliver(MailAddress mailbox, String deliveryKey, InputStream message) throws IOException {
        requireKey(deliveryKey);
        Path maildir = maildir(mailbox);
        for (String sub : new String[] {"tmp", "new", "cur"}) Durable.createDirectories(maildir.resolve(sub));
        String base = clock.instant().getEpochSecond() + "." + deliveryKey + "." + hostname;
        Path tmp = maildir.resolve("tmp").resolve(base);
        try {
            long[] sizes;
            try (FileChannel out = Durable.createPrivate(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                sizes = copyWithLf(message, out);
                out.force(true);
            }
            String name = base + ",S=" + sizes[0] + ",W=" + (sizes[0] + sizes[1]);
            Path newDir = maildir.resolve("new");
            Files.move(tmp, newDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            Durable.syncDirectory(newDir);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    @Override
    public boolean contains(MailAddress mailbox, String deliveryKey) throws IOException {
        return find(mailbox, deliveryKey, "new").isPresent() || find(mailbox, deliveryKey, "cur").isPresent();
    }

    /** The stored file with its LF line ends turned back into CRLF. */
    @Override
    public Optional<InputStream> open(MailAddress mailbox, String deliveryKey) throws IOException {
        // A mail client may move the file from new/ to cur/ between the listing and the opening.
        for (String sub : new String[] {"new", "cur"}) {
            Optional<Path> file = find(mailbox, deliveryKey, sub);
            if (file.isEmpty()) continue;
            try {
                return Optional.of(new CrlfInput(new BufferedInputStream(Files.newInputStream(file.get()), BUFFER)));
            } catch (NoSuchFileException e) {
                // moved on: look further
            }
        }
        return Optional.empty();
    }

    /**
     * The file of this key in {@code new} or {@code cur} (where a mail client
     * moves it, appending ":2,<flags>").
     */
    private Optional<Path> find(MailAddress mailbox, String deliveryKey, String sub) throws IOException {
        requireKey(deliveryKey);
        String marker = "." + deliveryKey + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(maildir(mailbox).resolve(sub))) {
            for (Path f : files) if (f.getFileName().toString().contains(marker)) return Optional.of(f);
        } catch (NoSuchFileException e) {
            // no such Maildir yet: nothing delivered
        }
        return Optional.empty();
    }

    /**
     * Copies converting CRLF to LF; returns {stored size, number of LFs}: the
     * CRLF size Dovecot expects in W= is their sum.
     */
    private static long[] copyWithLf(InputStream in, FileChannel out) throws IOException {
        byte[] buf = new byte[BUFFER];
        ByteBuffer dst = ByteBuffer.allocate(BUFFER + 1);
        long size = 0;
        long lfs = 0;
        boolean cr = false;
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (cr && b != '\n') dst.put((byte) '\r');
                cr = b == '\r';
                if (cr) continue;
                if (b == '\n') lfs++;
                dst.put(b);
            }
            size += drain(dst, out);
        }
        if (cr) dst.put((byte) '\r');
        size += drain(dst, out);
        return new long[] {size, lfs};
    }

    private static int drain(ByteBuffer dst, FileChannel out) throws IOException {
        dst.flip();
        int n = dst.remaining();
        while (dst.hasRemaining()) out.write(dst);
        dst.clear();
        return n;
    }

    /** Gives back each LF as CRLF: the inverse of {@link #copyWithLf} for a message without bare LF (which SMTP refuses). */
    private static final class CrlfInput extends InputStream {
        private final InputStream in;
        private boolean lfNext;

        CrlfInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (lfNext) {
                lfNext = false;
                return '\n';
            }
            int b = in.read();
            if (b == '\n') {
                lfNext = true;
                return '\r';
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, buf.length);
            if (len == 0) return 0;
            int n = 0;
            for (int b; n < len && (b = read()) >= 0; n++) buf[off + n] = (byte) b;
            return n == 0 ? -1 : n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** One path segment from an address part: nothing that could climb out of the mail root. */
    private static String segment(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.isEmpty() || lower.startsWith(".") || lower.indexOf('/') >= 0 || lower.indexOf('\\') >= 0
                || lower.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("cannot store mail for \"" + s + "\": not a safe directory name");
        }
        return lower;
    }

    /** The key sits between dots in a Maildir name and is searched for by {@link #contains}. */
    private static void requireKey(String key) {
        if (key == null || key.isEmpty() || !key.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_')))
            throw new IllegalArgumentException("delivery key must be letters, digits, '-' or '_': " + key);
    }

    /** Maildir: "/" and ":" in the host name are written as \057 and \072; "," would confuse S=/W= parsing. */
    private static String safeHostname(String host) {
        return host.replace("/", "\\057").replace(":", "\\072").replace(",", "\\054");
    }
}
