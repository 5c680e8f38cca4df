package org.depesche.queue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.depesche.store.Durable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue on local disk. Layout under the queue directory:
 * <pre>
 * tmp/&lt;id&gt;.msg, tmp/&lt;id&gt;.env   being written; never part of the queue
 * spool/&lt;id&gt;.msg                 message content as received (CRLF)
 * spool/&lt;id&gt;.env                 envelope and delivery state (JSON); its presence commits the message
 * control/retry.&lt;id&gt;, delete.&lt;id&gt; {@link ControlRequest}s from `depesche queue` to the running server
 * corrupt/                          files that could not be read, kept for the operator
 * runner.lock                       locked by the process that holds the {@link Queue.Lease}
 * </pre>
 * Commit order (RFC 5321 6.1: after 250 the server is responsible): content
 * fsynced, envelope written and fsynced, content renamed into spool/, then the
 * envelope, then spool/ fsynced. A crash before the last step leaves at most
 * a content file without envelope, which {@link #removeLeftovers(Lease)} deletes.
 */
public final class FileQueue implements Queue {
    private static final Logger log = LoggerFactory.getLogger(FileQueue.class);
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final int ID_LENGTH = 16;

    private final Path dir;
    private final Path tmp;
    private final Path spool;
    private final Path control;
    private final long minFreeDisk;
    private final FileStore disk;
    private final java.time.Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final SpoolCodec codec = new SpoolCodec();
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final List<Consumer<QueuedMessage>> listeners = new CopyOnWriteArrayList<>();

    public FileQueue(Path queueDir, long minFreeDisk, Clock clock) throws IOException {
        this.dir = queueDir.toAbsolutePath();
        this.tmp = dir.resolve("tmp");
        this.spool = dir.resolve("spool");
        this.control = dir.resolve("control");
        this.minFreeDisk = minFreeDisk;
        this.clock = clock;
        for (Path p : List.of(tmp, spool, control)) Durable.createDirectories(p);
        // Looked up once: finding the file store reads the mount table, its free space is one statvfs.
        this.disk = Files.getFileStore(spool);
    }

    /** The queue directory: how the runner's log lines name this queue. */
    @Override
    public String toString() {
        return dir.toString();
    }

    @Override
    public void onCommit(Consumer<QueuedMessage> listener) {
        listeners.add(listener);
    }

    @Override
    public Incoming begin() throws IOException {
        checkSpace();
        String id = newId();
        active.add(id);
        Path file = tmp.resolve(id + ".msg");
        try {
            FileChannel channel = Durable.createPrivate(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new FileIncoming(id, file, channel);
        } catch (IOException e) {
            active.remove(id);
            throw diskFull(e);
        }
    }

    @Override
    public List<QueuedMessage> list() throws IOException {
        List<QueuedMessage> all = new ArrayList<>();
        for (String id : ids(spool, ".env")) read(id).ifPresent(all::add);
        all.sort(Comparator.comparing(QueuedMessage::id));
        return all;
    }

    @Override
    public Optional<QueuedMessage> get(String id) throws IOException {
        return isValidId(id) ? read(id) : Optional.empty();
    }

    @Override
    public InputStream openContent(String id) throws IOException {
        return new BufferedInputStream(Files.newInputStream(spool.resolve(requireId(id) + ".msg")), 65536);
    }

    /** Written to tmp/, forced, renamed over the envelope, spool/ forced. */
    @Override
    public void update(QueuedMessage message) throws IOException {
        String id = requireId(message.id());
        if (!Files.exists(spool.resolve(id + ".msg"))) throw new NoSuchFileException("no queued message " + id);
        Path next = tmp.resolve(id + ".state");
        try {
            Durable.write(next, codec.encode(message));
            Files.move(next, spool.resolve(id + ".env"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            syncSpool();
        } catch (IOException e) {
            Files.deleteIfExists(next);
            throw diskFull(e);
        }
    }

    /** Envelope first, so a crash half-way leaves only a leftover. */
    @Override
    public void remove(String id) throws IOException {
        requireId(id);
        Files.deleteIfExists(spool.resolve(id + ".env"));
        Files.deleteIfExists(spool.resolve(id + ".msg"));
        syncSpool();
    }

    /**
     * Deletes files in tmp/ and content without an envelope; moves unreadable
     * envelopes to corrupt/. Only with this queue's lease, so that no other
     * process is writing here.
     */
    @Override
    public int removeLeftovers(Lease held) throws IOException {
        if (!(held instanceof FileLease lease) || lease.queue() != this || !lease.channel.isOpen())
            throw new IllegalStateException("removeLeftovers needs this queue's lease, held");
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) {
                if (!active.contains(idOf(f))) {
                    Files.deleteIfExists(f);
                    removed++;
                }
            }
        }
        for (String id : ids(spool, ".msg")) {
            if (!active.contains(id) && !Files.exists(spool.resolve(id + ".env"))) {
                log.info("event=leftover-removed queue_id={} reason=\"no envelope, never acknowledged\"", id);
                Files.deleteIfExists(spool.resolve(id + ".msg"));
                removed++;
            }
        }
        for (String id : ids(spool, ".env")) {
            if (!Files.exists(spool.resolve(id + ".msg"))) {
                quarantine(id, "envelope without content");
                continue;
            }
            try {
                decode(id);
            } catch (NoSuchFileException e) {
                // removed meanwhile
            } catch (IOException e) {
                quarantine(id, e.getMessage());
            }
        }
        syncSpool();
        return removed;
    }

    // ---- requests from `depesche queue` to a running server (see QueueAdmin)

    /** Written under a dot name and renamed, so it is never seen half-written. */
    @Override
    public void request(ControlRequest request) throws IOException {
        String id = requireId(request.id());
        Path part = control.resolve("." + name(request.action()) + "." + id);
        Files.write(part, new byte[0]);
        Files.move(part, requestFile(request), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public boolean isPending(ControlRequest request) {
        return isValidId(request.id()) && Files.exists(requestFile(request));
    }

    /** Files that name no action or no valid id are removed and logged, not served. */
    @Override
    public List<ControlRequest> takeRequests() throws IOException {
        List<ControlRequest> requests = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(control)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) continue;
                Files.deleteIfExists(f);
                int dot = name.indexOf('.');
                String action = dot < 0 ? "" : name.substring(0, dot);
                String id = dot < 0 ? "" : name.substring(dot + 1);
                Optional<ControlRequest.Action> known = Arrays.stream(ControlRequest.Action.values())
                        .filter(a -> name(a).equals(action)).findFirst();
                if (isValidId(id) && known.isPresent()) {
                    requests.add(new ControlRequest(known.get(), id));
                } else {
                    log.warn("event=control-ignored file=\"{}\"", name);
                }
            }
        }
        return requests;
    }

    private static String name(ControlRequest.Action action) {
        return action.name().toLowerCase(Locale.ROOT);
    }

    private Path requestFile(ControlRequest request) {
        return control.resolve(name(request.action()) + "." + request.id());
    }

    /** The lease is an exclusive lock on runner.lock, which the operating system drops if the process dies. */
    @Override
    public Optional<Lease> tryLease() throws IOException {
        // 0600 like directory.lock: another local user must not be able to hold it (issue 8 finding 10)
        FileChannel channel = Durable.createPrivate(dir.resolve("runner.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        return Optional.of(new FileLease(channel));
    }

    private final class FileLease implements Lease {
        private final FileChannel channel;

        FileLease(FileChannel channel) {
            this.channel = channel;
        }

        FileQueue queue() {
            return FileQueue.this;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("event=unlock-failed error=\"{}\"", e.toString());
            }
        }
    }

    @Override
    public void close() {
        listeners.clear();
    }

    // ---- internals

    private Optional<QueuedMessage> read(String id) throws IOException {
        try {
            return Optional.of(decode(id));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // Not moved here: a reader (the CLI) must not change the spool; removeLeftovers sets it aside.
            log.error("event=queue-unreadable queue_id={} reason=\"{}\"", id, e.getMessage());
            return Optional.empty();
        }
    }

    private QueuedMessage decode(String id) throws IOException {
        QueuedMessage m = codec.decode(Files.readAllBytes(spool.resolve(id + ".env")));
        if (!m.id().equals(id)) throw new IOException("envelope names id " + m.id());
        return m;
    }

    /** Moves an unreadable message aside rather than deleting what might be someone's mail. */
    private void quarantine(String id, String reason) throws IOException {
        log.error("event=queue-corrupt queue_id={} reason=\"{}\" moved_to=corrupt/", id, reason);
        Path corrupt = dir.resolve("corrupt");
        Durable.createDirectories(corrupt);
        for (String ext : List.of(".env", ".msg")) {
            Path f = spool.resolve(id + ext);
            if (Files.exists(f)) Files.move(f, corrupt.resolve(id + ext), StandardCopyOption.REPLACE_EXISTING);
        }
        syncSpool();
    }

    /** The one place the spool directory is fsynced: group commit would batch concurrent commits here (ROADMAP). */
    private void syncSpool() throws IOException {
        Durable.syncDirectory(spool);
    }

    /** Free space beyond the reserve; asked of the disk (one statvfs) each time. */
    @Override
    public Room room(long bytes) {
        try {
            return fits(disk.getUsableSpace(), bytes) ? Room.ENOUGH : Room.FULL;
        } catch (IOException | RuntimeException e) {
            return Room.UNKNOWN;
        }
    }

    /** The one rule for "can the queue take {@code bytes} more": the reserve stays free. */
    private boolean fits(long usable, long bytes) {
        return usable >= minFreeDisk && usable - minFreeDisk >= bytes;
    }

    private void checkSpace() throws IOException {
        long usable = disk.getUsableSpace();
        if (!fits(usable, 0)) {
            throw new QueueFullException("queue disk has " + usable + " bytes free, below the reserve of "
                    + minFreeDisk);
        }
    }

    /**
     * The one place a write's failure is recognised as a full disk: Java
     * gives ENOSPC and EDQUOT no exception type of their own, only the
     * operating system's text.
     */
    static IOException diskFull(IOException e) {
        if (e instanceof QueueFullException) return e;
        String m = String.valueOf(e.getMessage());
        if (m.contains("No space left on device") || m.contains("Disk quota exceeded"))
            return new QueueFullException("queue disk full", e);
        return e;
    }

    private String newId() {
        // Time first so ids sort by arrival; 45 bits of milliseconds last until the year 3084.
        char[] c = new char[ID_LENGTH];
        long t = clock.millis();
        for (int i = 8; i >= 0; i--, t >>>= 5) c[i] = ALPHABET.charAt((int) (t & 31));
        long r = random.nextLong();
        for (int i = 9; i < ID_LENGTH; i++, r >>>= 5) c[i] = ALPHABET.charAt((int) (r & 31));
        return new String(c);
    }

    /** Ids come from the command line too: only well-formed ones may become file names. */
    public static boolean isValidId(String id) {
        if (id == null || id.length() != ID_LENGTH) return false;
        for (int i = 0; i < id.length(); i++) if (ALPHABET.indexOf(id.charAt(i)) < 0) return false;
        return true;
    }

    private static String requireId(String id) {
        if (!isValidId(id)) throw new IllegalArgumentException("not a queue id: " + id);
        return id;
    }

    private static String idOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static List<String> ids(Path directory, String ext) throws IOException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + ext)) {
            for (Path f : files) {
                String id = idOf(f);
                if (isValidId(id) && f.getFileName().toString().equals(id + ext)) ids.add(id);
            }
        }
        return ids;
    }

    private final class FileIncoming implements Incoming {
        private final String id;
        private final Path file;
        private final FileChannel channel;
        private final GuardedStream out;
        private boolean finished;

        FileIncoming(String id, Path file, FileChannel channel) {
            this.id = id;
            this.file = file;
            this.channel = channel;
            // A failed write (full disk) removes the partial file at once, not only when the session aborts.
            this.out = new GuardedStream(new BufferedOutputStream(Channels.newOutputStream(channel), 65536),
                    this::deleteFiles);
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public OutputStream content() {
            return out;
        }

        @Override
        public synchronized QueuedMessage commit(Envelope envelope) throws IOException {
            if (finished) throw new IllegalStateException("message " + id + " already committed or aborted");
            QueuedMessage message;
            try {
                // A stream that failed once may have lost bytes: never commit a truncated message.
                if (out.failure != null) throw diskFull(out.failure);
                out.flush();
                channel.force(true);
                channel.close();
                checkSpace();
                message = new QueuedMessage(id, envelope, out.count);
                Path env = tmp.resolve(id + ".env");
                Durable.write(env, codec.encode(message));
                Files.move(file, spool.resolve(id + ".msg"), StandardCopyOption.ATOMIC_MOVE);
                Files.move(env, spool.resolve(id + ".env"), StandardCopyOption.ATOMIC_MOVE);
                syncSpool();
                finished = true;
            } catch (IOException e) {
                abort();
                throw diskFull(e);
            } catch (RuntimeException e) {
                abort();
                throw e;
            } finally {
                active.remove(id);
            }
            log.debug("event=queued queue_id={} size={} rcpts={}", id, message.size(), envelope.recipients().size());
            for (Consumer<QueuedMessage> l : listeners) {
                try {
                    l.accept(message);
                } catch (RuntimeException e) {
                    log.error("event=commit-listener-failed queue_id={}", id, e);
                }
            }
            return message;
        }

        @Override
        public synchronized void abort() {
            if (finished) return;
            finished = true;
            active.remove(id);
            deleteFiles();
        }

        private void deleteFiles() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the file is deleted next; nothing of it is kept
            }
            for (Path p : List.of(file, tmp.resolve(id + ".env"), spool.resolve(id + ".env"), spool.resolve(id + ".msg"))) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("event=abort-cleanup-failed queue_id={} file={} error=\"{}\"", id, p, e.toString());
                }
            }
        }
    }

    /** Counts bytes and remembers the first failure, turning "disk full" into QueueFullException. */
    private static final class GuardedStream extends FilterOutputStream {
        private final Runnable onFailure;
        long count;
        IOException failure;

        GuardedStream(OutputStream out, Runnable onFailure) {
            super(out);
            this.onFailure = onFailure;
        }

        @Override
        public void write(int b) throws IOException {
            guard(() -> out.write(b));
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            guard(() -> out.write(b, off, len));
            count += len;
        }

        @Override
        public void flush() throws IOException {
            guard(out::flush);
        }

        @Override
        public void close() {
            // The queue closes the file itself at commit or abort.
        }

        private void guard(IoAction action) throws IOException {
            if (failure != null) throw diskFull(failure);
            try {
                action.run();
            } catch (IOException e) {
                failure = e;
                onFailure.run();
                throw diskFull(e);
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
