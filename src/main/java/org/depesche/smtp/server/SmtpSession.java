package org.depesche.smtp.server;

import static org.depesche.smtp.Printable.printable;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import org.depesche.mail.BodyType;
import org.depesche.config.Limits;
import org.depesche.directory.Directory;
import org.depesche.queue.Envelope;
import org.depesche.queue.Queue;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.Reply;
import org.depesche.smtp.SmtpException;
import org.depesche.mail.TlsInfo;
import org.depesche.store.RefusalStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One SMTP connection, from greeting to close, on its own virtual thread.
 * The loop in {@link #commandLoop()} reads a line, switches on the verb and
 * calls one method per command; each returns a {@link Reply} or throws an
 * {@link SmtpException}, and both are answered in one place. Connection
 * state (greeting, TLS, login, error counts) lives in fields here; the mail
 * transaction lives in a {@link Transaction} that RSET, EHLO/HELO and
 * STARTTLS throw away.
 */
final class SmtpSession implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
    private static final Logger transcript = LoggerFactory.getLogger("transcript");
    private static final Reply NO_SUCH_USER = Reply.of(550, "5.1.1", "No such user here");

    private final SmtpServer.Context ctx;
    private final Limits limits;
    private final ListenerKind kind;
    private final String cid;
    private final Socket plain;
    private Socket socket;
    private SmtpInput input;
    private OutputStream output;

    // Connection state: survives transactions.
    private String helo;
    private boolean extended;
    private TlsInfo tls = TlsInfo.NONE;
    private Directory.Account account;
    private int errors;
    private int authFailures;
    /** Commands that move no mail, since the start or the last accepted message (THREATS T14). */
    private int junkCommands;
    /** System.nanoTime() after which no further command is read (limits.maxSessionTime). */
    private long sessionDeadline;
    private boolean startTlsRequested;
    private final List<String> queueIds = new ArrayList<>();
    private String lastError = "";
    private String result = "closed";
    /** System.nanoTime() when a write to the peer began, 0 when none is under way; read by the server's watchdog. */
    private volatile long writingSince;
    /** System.nanoTime() when a TLS handshake began, 0 when none is under way; read by the watchdog. */
    private volatile long handshakeSince;

    // Transaction state (RFC 5321 3.3).
    private Transaction tx;

    SmtpSession(SmtpServer.Context ctx, ListenerKind kind, Socket plain, String cid) {
        this.ctx = ctx;
        this.limits = ctx.config().limits();
        this.kind = kind;
        this.plain = plain;
        this.socket = plain;
        this.cid = cid;
    }

    String connectionId() {
        return cid;
    }

    /**
     * True if a write to the peer has been blocked, or a TLS handshake has
     * run, longer than {@code limit} (THREATS T14): the client does not read,
     * or trickles its handshake to hold a connection slot. Each handshake read
     * has only the per-read socket timeout, so it needs this overall bound.
     */
    boolean stalled(long nowNanos, java.time.Duration limit) {
        long write = writingSince;
        long handshake = handshakeSince;
        return (write != 0 && nowNanos - write > limit.toNanos())
                || (handshake != 0 && nowNanos - handshake > limit.toNanos());
    }

    /** Closes the socket from another thread (server shutdown); the session's read fails and it ends. */
    void closeConnection() {
        closeQuietly(socket);
        closeQuietly(plain);
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        sessionDeadline = start + limits.maxSessionTime().toNanos();
        MDC.put("cid", cid);
        try {
            if (kind == ListenerKind.SUBMISSIONS) {
                startTls(); // RFC 8314 3.3: the TLS handshake comes before the greeting
            } else {
                useSocket(plain);
            }
            send(Reply.of(220, "", ctx.config().hostname() + " ESMTP Depesche ready [" + cid + "]"));
            commandLoop();
        } catch (SmtpInput.TooSlowException e) {
            result = "data-too-slow";
            sendQuietly(Reply.of(421, "4.4.2", ctx.config().hostname() + " " + e.getMessage() + ", closing connection"));
        } catch (SessionTimeOver e) {
            result = "session-time-over";
            sendQuietly(Reply.of(421, "4.4.2", ctx.config().hostname() + " session time limit reached, closing connection"));
        } catch (SocketTimeoutException e) {
            result = "timeout";
            sendQuietly(Reply.of(421, "4.4.2", ctx.config().hostname() + " timeout exceeded, closing connection"));
        } catch (SSLException e) {
            result = "tls-failed: " + e.getMessage();
        } catch (EOFException e) {
            result = "client-gone: " + e.getMessage();
        } catch (IOException e) {
            result = "io-error: " + e.getMessage();
        } catch (RuntimeException e) {
            result = "internal-error: " + e;
            log.error("session failed", e);
            sendQuietly(Reply.of(421, "4.3.0", "Internal error, closing connection"));
        } finally {
            resetTransaction();
            closeConnection();
            logSessionEnd(start);
            MDC.remove("cid");
        }
    }

    /** The visible loop: read a command, dispatch on its verb, answer. */
    private void commandLoop() throws IOException {
        while (true) {
            String line;
            try {
                line = readCommand();
            } catch (SmtpInput.LineTooLongException e) {
                traceIn("<line too long>");
                if (!answer(Reply.of(500, "5.5.2", "Line too long"), true)) return;
                continue;
            }
            if (line == null) {
                result = "eof";
                return;
            }
            int space = line.indexOf(' ');
            String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : line.substring(space + 1).strip();
            traceIn(verb.equals("AUTH") ? redactAuth(args) : line);
            if (isJunk(verb) && ++junkCommands > limits.junkCommandLimit()) {
                send(Reply.of(421, "4.7.0", "Too many commands that send no mail, closing connection"));
                flush();
                result = "too-many-junk-commands";
                return;
            }
            Reply reply;
            boolean protocolError = false;
            try {
                reply = switch (verb) {
                    case "EHLO" -> ehlo(args);
                    case "HELO" -> helo(args);
                    case "MAIL" -> mail(args);
                    case "RCPT" -> rcpt(args);
                    case "DATA" -> data(args);
                    case "BDAT" -> bdat(args);
                    case "RSET" -> rset(args);
                    case "NOOP" -> Reply.of(250, "2.0.0", "Ok");
                    case "QUIT" -> Reply.of(221, "2.0.0", ctx.config().hostname() + " closing connection");
                    case "VRFY" -> vrfy(args);
                    case "HELP" -> help();
                    case "STARTTLS" -> starttls(args);
                    case "AUTH" -> auth(args);
                    default -> throw new SmtpException(500, "5.5.2", "Command not recognized");
                };
            } catch (SmtpException e) {
                reply = e.reply();
                protocolError = countsAsError(reply);
            }
            if (!answer(reply, protocolError)) return;
            if (verb.equals("QUIT")) {
                result = "quit";
                flush();
                return;
            }
            if (authFailures >= limits.maxAuthFailures()) {
                send(Reply.of(421, "4.7.0", "Too many authentication failures, closing connection"));
                flush();
                result = "too-many-auth-failures";
                return;
            }
            if (startTlsRequested) {
                startTlsRequested = false;
                flush();
                startTls();
            }
        }
    }

    /**
     * Reads the next command line within the command timeout (RFC 5321
     * 4.5.3.2.7) and, whichever comes first, the end of the session's time.
     * Between the BDAT chunks of a message only the message's own pace
     * applies, so that a message is never cut by the session's time.
     */
    private String readCommand() throws IOException {
        long left = sessionDeadline - System.nanoTime();
        boolean chunking = tx != null && tx.incoming != null;
        if (chunking || left >= limits.commandTimeout().toNanos()) {
            return input.readLine(limits.maxCommandLine(), limits.commandTimeout());
        }
        try {
            return input.readLine(limits.maxCommandLine(), java.time.Duration.ofNanos(Math.max(left, 0)));
        } catch (SocketTimeoutException e) {
            throw new SessionTimeOver();
        }
    }

    /** The session has lasted limits.maxSessionTime; checked only between commands, so no DATA is cut short. */
    private static final class SessionTimeOver extends SocketTimeoutException {
        SessionTimeOver() {
            super("session time limit reached");
        }
    }

    /**
     * Commands that move no mail forward, as Postfix's smtpd_junk_command_limit
     * counts them: a client repeating them forever would hold its slot
     * although every single command is within the command timeout (T14).
     */
    private boolean isJunk(String verb) {
        return switch (verb) {
            case "NOOP", "RSET", "VRFY", "EXPN", "HELP" -> true;
            case "EHLO", "HELO" -> helo != null; // the first greeting (and the one after STARTTLS) is needed
            default -> false;
        };
    }

    /** Sends a reply; after too many protocol errors also 421 and tells the loop to stop. */
    private boolean answer(Reply reply, boolean protocolError) throws IOException {
        send(reply);
        if (protocolError && ++errors >= limits.maxErrors()) {
            send(Reply.of(421, "4.7.0", "Too many errors, closing connection"));
            flush();
            result = "too-many-errors";
            return false;
        }
        return true;
    }

    /**
     * A thrown permanent refusal is a protocol error (THREATS T14), DATA and
     * BDAT out of sequence included; failed logins are counted apart. A
     * message refused after its data is a returned reply, no thrown one: the
     * client is in step and only its message was bad.
     */
    private static boolean countsAsError(Reply reply) {
        return reply.isPermanent() && reply.code() != 535;
    }

    // ---- commands ---------------------------------------------------------

    private Reply ehlo(String args) throws SmtpException {
        String domain = checkHelloArgument(args);
        resetTransaction(); // RFC 5321 4.1.4: EHLO resets like RSET
        helo = domain;
        extended = true;
        List<String> lines = new ArrayList<>();
        lines.add(ctx.config().hostname() + " greets " + domain);
        lines.add("PIPELINING"); // RFC 2920
        lines.add("SIZE " + limits.maxMessageSize()); // RFC 1870
        lines.add("8BITMIME"); // RFC 6152
        lines.add("SMTPUTF8"); // RFC 6531
        lines.add("ENHANCEDSTATUSCODES"); // RFC 2034
        lines.add("CHUNKING"); // RFC 3030
        if (!tls.isEncrypted()) lines.add("STARTTLS"); // RFC 3207 4.2: not offered again after the handshake
        // RFC 8689 2: REQUIRETLS may only be used in a TLS session, so it is offered only inside one.
        if (tls.isEncrypted()) lines.add("REQUIRETLS");
        // RFC 4954 4, THREATS T8: AUTH only inside TLS and never on the MX listener.
        if (tls.isEncrypted() && kind.isSubmission() && account == null) lines.add("AUTH PLAIN LOGIN");
        return Reply.of(250, "", String.join("\n", lines));
    }

    private Reply helo(String args) throws SmtpException {
        String domain = checkHelloArgument(args);
        resetTransaction();
        helo = domain;
        extended = false;
        return Reply.of(250, "", ctx.config().hostname());
    }

    /** The greeting argument goes into the Received header, so only domain and address-literal characters. */
    private static String checkHelloArgument(String args) throws SmtpException {
        if (args.isEmpty()) throw new SmtpException(501, "5.5.4", "Syntax: EHLO domain");
        if (args.length() > 255 || !args.codePoints().allMatch(c ->
                Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']')) {
            throw new SmtpException(501, "5.5.4", "Invalid domain in greeting");
        }
        return args;
    }

    private Reply mail(String args) throws SmtpException {
        requireHelo();
        if (tx != null) throw new SmtpException(503, "5.5.1", "Nested MAIL command");
        // RFC 6409 4.3, RFC 4954 6: submission needs a login first.
        if (kind.isSubmission() && account == null) throw new SmtpException(530, "5.7.0", "Authentication required");
        PathArgument path = PathArgument.parse(args, "FROM:", "5.1.7", true);
        boolean smtpUtf8 = false;
        boolean requireTls = false;
        long declaredSize = 0;
        BodyType body = BodyType.SEVEN_BIT;
        for (var p : path.parameters().entrySet()) {
            switch (p.getKey()) {
                case "SIZE" -> declaredSize = checkDeclaredSize(p.getValue()); // RFC 1870 6
                case "BODY" -> body = switch (p.getValue().toUpperCase(Locale.ROOT)) { // RFC 6152 2
                    case "7BIT" -> BodyType.SEVEN_BIT;
                    case "8BITMIME" -> BodyType.EIGHT_BIT_MIME;
                    default -> throw new SmtpException(501, "5.5.4", "BODY must be 7BIT or 8BITMIME");
                };
                case "SMTPUTF8" -> { // RFC 6531 3.4
                    if (!p.getValue().isEmpty()) throw new SmtpException(501, "5.5.4", "SMTPUTF8 takes no value");
                    smtpUtf8 = true;
                }
                case "REQUIRETLS" -> requireTls = checkRequireTls(p.getValue()); // a repeat: 501 in PathArgument
                default -> throw new SmtpException(555, "5.5.4", "Unsupported MAIL parameter " + p.getKey()); // RFC 5321 4.1.1.11
            }
        }
        Optional<MailAddress> sender = path.address();
        if (path.international() && !smtpUtf8) {
            throw new SmtpException(553, "5.6.7", "Address needs SMTPUTF8"); // RFC 6531 3.5
        }
        if (kind.isSubmission()) { // THREATS T13
            if (sender.isEmpty()) throw new SmtpException(550, "5.7.1", "The null sender is not allowed on submission");
            if (!ctx.directory().mayUseAddress(account, sender.get())) {
                throw new SmtpException(550, "5.7.1", "Sender address <" + sender.get() + "> is not one you may send as");
            }
        }
        checkStorage(declaredSize);
        tx = new Transaction(sender, body, smtpUtf8, requireTls);
        return Reply.of(250, "2.1.0", "Ok");
    }

    /**
     * RFC 8689 2: the parameter has no value and "MUST only be specified"
     * in a session that employs TLS. The RFC names no reply for a server
     * that gets it in plaintext; 530 is RFC 3207 4's "Must issue a STARTTLS
     * command first" and 5.7.10 "Encryption needed" (RFC 5248) is the code
     * RFC 8689 4.2.1 gives for a session that could not be protected.
     */
    private boolean checkRequireTls(String value) throws SmtpException {
        if (!value.isEmpty()) throw new SmtpException(501, "5.5.4", "REQUIRETLS takes no value");
        if (!tls.isEncrypted()) {
            throw new SmtpException(530, "5.7.10", "REQUIRETLS needs an encrypted session: issue STARTTLS first");
        }
        return true;
    }

    private long checkDeclaredSize(String value) throws SmtpException {
        if (!value.matches("[0-9]{1,18}")) throw new SmtpException(501, "5.5.4", "SIZE must be a number");
        long size = Long.parseLong(value);
        if (size > limits.maxMessageSize()) {
            throw new SmtpException(552, "5.3.4", "Message size exceeds fixed limit of " + limits.maxMessageSize() + " octets");
        }
        return size;
    }

    /**
     * RFC 1870 6.1: refuse at MAIL, temporarily, what the queue cannot take
     * while keeping its reserve. The queue checks again when it writes; this
     * only saves the client sending data for nothing, so a queue that cannot
     * tell lets the transaction go on.
     */
    private void checkStorage(long declaredSize) throws SmtpException {
        if (ctx.queue().room(declaredSize) == Queue.Room.FULL) {
            throw new SmtpException(452, "4.3.1", "Insufficient system storage");
        }
    }

    private Reply rcpt(String args) throws SmtpException {
        requireHelo();
        if (tx == null) throw new SmtpException(503, "5.5.1", "Need MAIL command first");
        if (tx.incoming != null) throw new SmtpException(503, "5.5.1", "RCPT not allowed during BDAT");
        PathArgument path = PathArgument.parse(withPostmasterDomain(args), "TO:", "5.1.3", false);
        if (!path.parameters().isEmpty()) throw new SmtpException(555, "5.5.4", "RCPT parameters are not supported");
        MailAddress rcpt = path.address().orElseThrow();
        if (path.international() && !tx.smtpUtf8) throw new SmtpException(553, "5.6.7", "Address needs SMTPUTF8");
        if (tx.hasAccepted(rcpt)) return Reply.of(250, "2.1.5", "Ok");
        if (tx.acceptedCount() >= limits.maxRecipients()) { // RFC 5321 4.5.3.1.10
            throw new SmtpException(452, "4.5.3", "Too many recipients");
        }
        if (!ctx.directory().isLocalDomain(rcpt.domain())) {
            // THREATS T13: only an authenticated user relays (RFC 6409 4.3); the MX listener never does.
            if (!kind.isSubmission() || account == null) throw new SmtpException(550, "5.7.1", "Relay access denied");
            tx.accept(rcpt, List.of(rcpt));
            return Reply.of(250, "2.1.5", "Ok");
        }
        List<MailAddress> mailboxes = ctx.directory().resolve(rcpt);
        if (mailboxes.isEmpty()) throw new SmtpException(NO_SUCH_USER);
        if (!tls.isEncrypted() && ctx.directory().requiredTls(rcpt).isPresent()) {
            // THREATS T2b: refused before DATA, so no byte of the message crosses the wire in plaintext.
            // 5.7.10 "Encryption needed" (RFC 5248 registry, as RFC 8689 5 uses it for the same intent).
            log.info("rcpt refused cid={} rcpt={} reason=secure-address-without-tls", cid, printable(rcpt.toString()));
            ctx.refusals().record(mailboxes, new RefusalStore.Refusal(ctx.clock().instant(),
                    tx.sender.map(MailAddress::toString).orElse(""), rcpt.toString(),
                    plain.getInetAddress().getHostAddress(), helo, "it did not use STARTTLS (no encryption)"));
            throw new SmtpException(550, "5.7.10", rcpt + " accepts mail only over TLS; your server did not use STARTTLS");
        }
        tx.accept(rcpt, mailboxes);
        return Reply.of(250, "2.1.5", "Ok");
    }

    /**
     * RFC 5321 4.1.1.3: "&lt;Postmaster&gt;" without a domain must be accepted,
     * whichever domains are local. It becomes the address it delivers to, so
     * that every check on recipients (local domain, mailboxes, a TLS-only
     * owner: THREATS T2b) applies to it exactly as to that address.
     */
    private String withPostmasterDomain(String args) throws SmtpException {
        if (!args.matches("(?i)TO:\\s*<postmaster>.*")) return args;
        MailAddress postmaster = ctx.directory().postmasterAddress()
                .orElseThrow(() -> new SmtpException(NO_SUCH_USER));
        return args.replaceFirst("(?i)<postmaster>", "<" + postmaster + ">");
    }

    private Reply data(String args) throws SmtpException, IOException {
        if (!args.isEmpty()) throw new SmtpException(501, "5.5.4", "DATA takes no parameters");
        requireRecipients();
        if (tx.incoming != null) throw new SmtpException(503, "5.5.1", "DATA not allowed after BDAT"); // RFC 3030 2
        Queue.Incoming incoming = beginMessage();
        MessageSink sink = new MessageSink(incoming.content(), limits.maxMessageSize(), limits.maxDataLine());
        try {
            send(Reply.of(354, "", "End data with <CR><LF>.<CR><LF>"));
            readDotStuffed(sink, newPace());
        } catch (IOException | RuntimeException e) {
            incoming.abort(); // the client left mid-DATA: nothing half-written stays
            tx = null;
            throw e;
        }
        return finishMessage(incoming, sink);
    }

    /**
     * RFC 5321 4.5.2 and 4.1.1.4: reads lines until CRLF "." CRLF, removing
     * one leading dot. Only that exact sequence ends the data (THREATS T12);
     * "." after a bare LF or followed by a bare CR is content, and the sink
     * flags the message as smuggling.
     */
    private void readDotStuffed(MessageSink sink, SmtpInput.Pace pace) throws IOException {
        byte[] buf = new byte[8192];
        int len = 0;
        int previous = -1;
        boolean lineStart = true;
        boolean afterCrlf = true; // the 354 reply counts as the CRLF before the first line
        while (true) {
            int b = input.readData(pace);
            if (b < 0) throw new EOFException("connection closed during DATA");
            buf[len++] = (byte) b;
            if (b == '\n') {
                boolean crlf = previous == '\r';
                if (lineStart && afterCrlf && crlf && len == 3 && buf[0] == '.') return;
                emit(sink, buf, len, lineStart);
                afterCrlf = crlf;
                lineStart = true;
                len = 0;
            } else if (len == buf.length) {
                emit(sink, buf, len, lineStart);
                lineStart = false;
                len = 0;
            }
            previous = b;
        }
    }

    private static void emit(MessageSink sink, byte[] buf, int len, boolean lineStart) {
        int skip = lineStart && buf[0] == '.' ? 1 : 0; // RFC 5321 4.5.2 transparency
        sink.write(buf, skip, len - skip);
    }

    private Reply bdat(String args) throws SmtpException, IOException {
        String[] parts = args.split(" +");
        if (parts.length > 2 || !parts[0].matches("[0-9]{1,18}") || (parts.length == 2 && !parts[1].equalsIgnoreCase("LAST"))) {
            throw new SmtpException(501, "5.5.4", "Syntax: BDAT <size> [LAST]");
        }
        long size = Long.parseLong(parts[0]);
        boolean last = parts.length == 2;
        // RFC 3030 2: the chunk follows the command whatever we answer, so it is read even when refused.
        try {
            requireRecipients();
            if (tx.incoming == null) {
                tx.incoming = beginMessage();
                tx.sink = new MessageSink(tx.incoming.content(), limits.maxMessageSize(), limits.maxDataLine());
                tx.pace = newPace(); // the minimum rate applies to the message, across its chunks
            }
        } catch (SmtpException e) {
            copyChunk(size, null, newPace());
            // RFC 3030 4.2: the transaction has failed, so chunks still in the pipeline cannot start a
            // message that lacks this one (say after a 452 for a full disk that has since freed up).
            resetTransaction();
            throw e;
        }
        copyChunk(size, tx.sink, tx.pace);
        if (!last) {
            Optional<Reply> problem = tx.sink.problem();
            if (problem.isPresent()) { // RFC 3030 4.2: the transaction has failed; later BDATs get 503
                resetTransaction();
                return problem.get();
            }
            return Reply.of(250, "2.0.0", size + " octets received");
        }
        return finishMessage(tx.incoming, tx.sink);
    }

    /** Reads exactly {@code size} octets of a BDAT chunk into the sink, or discards them if it is null. */
    private void copyChunk(long size, MessageSink sink, SmtpInput.Pace pace) throws IOException {
        byte[] buf = new byte[8192];
        long remaining = size;
        while (remaining > 0) {
            int n = input.readChunk(buf, 0, (int) Math.min(buf.length, remaining), pace);
            if (n < 0) throw new EOFException("connection closed during BDAT");
            if (sink != null) sink.write(buf, 0, n);
            remaining -= n;
        }
    }

    private SmtpInput.Pace newPace() {
        return new SmtpInput.Pace(limits.dataTimeout(), limits.minDataRate());
    }

    private void requireRecipients() throws SmtpException {
        requireHelo();
        if (tx == null) throw new SmtpException(503, "5.5.1", "Need MAIL command first");
        if (tx.recipients.isEmpty()) throw new SmtpException(554, "5.5.1", "No valid recipients"); // RFC 5321 3.3
    }

    /** Opens the message in the queue and writes our Received header first (RFC 5321 4.4). */
    private Queue.Incoming beginMessage() throws SmtpException {
        Queue.Incoming incoming = null;
        try {
            incoming = ctx.queue().begin();
            tx.receivedAt = ctx.clock().instant();
            MailAddress single = tx.recipients.size() == 1 ? tx.recipients.getFirst().original() : null;
            ReceivedHeader received = new ReceivedHeader(helo, plain.getInetAddress(),
                    !kind.isSubmission() || ctx.config().submission().receivedClientIp(), // THREATS T9
                    ctx.config().hostname(), ReceivedHeader.protocol(extended, tls.isEncrypted(), account != null),
                    incoming.id(), tls, cid, single, tx.receivedAt);
            incoming.content().write(received.toHeader().getBytes(StandardCharsets.UTF_8));
            return incoming;
        } catch (IOException e) {
            if (incoming != null) incoming.abort();
            throw new SmtpException(MessageSink.storageReply(e));
        }
    }

    /**
     * After the last octet: refuse, or commit durably and only then answer
     * 250. A refusal is returned, not thrown, so that it is no protocol error.
     */
    private Reply finishMessage(Queue.Incoming incoming, MessageSink sink) {
        boolean committed = false;
        try {
            sink.finish();
            Optional<Reply> problem = sink.problem();
            if (problem.isPresent()) throw new SmtpException(problem.get());
            MessageHeader header = MessageHeader.parse(sink.headerSection());
            if (kind.isSubmission()) {
                SenderCheck.checkFrom(header, sink.headerTruncated(), a -> ctx.directory().mayUseAddress(account, a));
            }
            TransportDemand demand = DemandDecision.decide(tx.requireTls, account, tx.sender, header, sink.headerTruncated(),
                    ctx.directory());
            QueuedMessage queued;
            try {
                queued = incoming.commit(envelope().withDemand(demand));
            } catch (IOException e) {
                log.warn("queue commit failed: {}", e.toString());
                throw new SmtpException(MessageSink.storageReply(e));
            }
            committed = true;
            queueIds.add(queued.id());
            junkCommands = 0; // as Postfix: a client that delivers mail is not idling
            if (demand.demandsAnything() || demand.tlsRequiredNo()) {
                log.info("event=transport-demand queue_id={} requiretls={} tls_required_no={} floor={} because=\"{}\"",
                        queued.id(), demand.requireTls(), demand.tlsRequiredNo(), demand.floorName(), printable(demand.because()));
            }
            return Reply.of(250, "2.0.0", "Ok: queued as " + queued.id());
        } catch (SmtpException refused) {
            return refused.reply();
        } finally {
            if (!committed) incoming.abort();
            tx = null; // RFC 5321 4.1.1.4: the transaction ends with the data, accepted or not
        }
    }

    private Envelope envelope() {
        return new Envelope(tx.sender, tx.recipients, tx.receivedAt, cid, plain.getInetAddress().getHostAddress(),
                tls, Optional.ofNullable(account).map(a -> a.address().toString()), tx.smtpUtf8, tx.bodyType);
    }

    private Reply rset(String args) throws SmtpException {
        if (!args.isEmpty()) throw new SmtpException(501, "5.5.4", "RSET takes no parameters");
        resetTransaction();
        return Reply.of(250, "2.0.0", "Ok");
    }

    private static Reply vrfy(String args) throws SmtpException {
        if (args.isEmpty()) throw new SmtpException(501, "5.5.4", "Syntax: VRFY address");
        // RFC 5321 3.5.3: 252 without saying whether the user exists (no user enumeration).
        return Reply.of(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
    }

    private static Reply help() {
        return Reply.of(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH");
    }

    private Reply starttls(String args) throws SmtpException {
        if (!args.isEmpty()) throw new SmtpException(501, "5.5.4", "STARTTLS takes no parameters");
        if (tls.isEncrypted()) throw new SmtpException(503, "5.5.1", "TLS already active");
        startTlsRequested = true;
        return Reply.of(220, "2.0.0", "Ready to start TLS");
    }

    private Reply auth(String args) throws SmtpException, IOException {
        if (!kind.isSubmission()) throw new SmtpException(502, "5.5.1", "AUTH is not offered on this port");
        // THREATS T8, RFC 4954 4: refused before TLS without looking at the credentials at all.
        if (!tls.isEncrypted()) throw new SmtpException(530, "5.7.0", "Must issue a STARTTLS command first");
        requireHelo();
        if (account != null) throw new SmtpException(503, "5.5.1", "Already authenticated");
        if (tx != null) throw new SmtpException(503, "5.5.1", "AUTH not permitted during a mail transaction");
        Optional<Directory.Account> login = new SaslLogin(this::challenge).authenticate(args, ctx.directory());
        if (login.isPresent()) {
            account = login.get();
            return Reply.of(235, "2.7.0", "Authentication successful");
        }
        authFailures++;
        sleep(ctx.authFailureDelay().multipliedBy(1L << Math.min(authFailures - 1, 6))); // slows password guessing
        throw new SmtpException(535, "5.7.8", "Authentication credentials invalid");
    }

    /** Sends a 334 challenge and reads the client's response line (RFC 4954 4); its content is never logged. */
    private String challenge(String base64) throws IOException, SmtpException {
        send(Reply.of(334, "", base64));
        String line;
        try {
            line = input.readLine(limits.maxCommandLine(), limits.commandTimeout());
        } catch (SmtpInput.LineTooLongException e) {
            throw new SmtpException(500, "5.5.6", "Authentication exchange line is too long"); // RFC 4954 4
        }
        if (line == null) throw new EOFException("connection closed during AUTH");
        traceIn("<auth data redacted>");
        if (line.equals("*")) throw new SmtpException(501, "5.0.0", "Authentication cancelled");
        return line;
    }

    // ---- helpers ----------------------------------------------------------

    private void requireHelo() throws SmtpException {
        if (helo == null) throw new SmtpException(503, "5.5.1", "Send EHLO first");
    }

    private void resetTransaction() {
        if (tx != null) tx.abort();
        tx = null;
    }

    /**
     * RFC 3207 4.2, THREATS T11: whatever the client pipelined after
     * STARTTLS is discarded, and the session starts over with no greeting,
     * no transaction and no login.
     */
    private void startTls() throws IOException {
        if (input != null) input.discardBuffered();
        SSLSocket ssl = ctx.tls().wrapServer(plain);
        ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limits.commandTimeout().toMillis()));
        socket = ssl;
        handshakeSince = System.nanoTime() | 1; // never 0
        try {
            ssl.startHandshake();
        } finally {
            handshakeSince = 0;
        }
        tls = new TlsInfo(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite());
        helo = null;
        extended = false;
        account = null;
        resetTransaction();
        useSocket(ssl);
    }

    private void useSocket(Socket s) throws IOException {
        input = new SmtpInput(s, this::flush);
        output = new BufferedOutputStream(new TimedOutput(s.getOutputStream()), 8192);
    }

    /** Marks each write to the socket so the watchdog can tell a blocked one; socket writes have no timeout of their own. */
    private final class TimedOutput extends FilterOutputStream {
        TimedOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writingSince = System.nanoTime() | 1; // never 0
            try {
                out.write(b, off, len);
            } finally {
                writingSince = 0;
            }
        }

        @Override
        public void flush() throws IOException {
            writingSince = System.nanoTime() | 1;
            try {
                out.flush();
            } finally {
                writingSince = 0;
            }
        }
    }

    /**
     * Queues a reply; it is flushed before the next blocking read (RFC 2920
     * 3.1). Errors carry the connection id. What a reply echoes of the
     * peer's text (an address, a header field) is made printable here, the
     * one place every reply passes, so it cannot carry terminal escapes or
     * a lone CR to the peer, into lastError or into the transcript.
     */
    private void send(Reply reply) throws IOException {
        reply = printableLines(reply);
        if (reply.code() >= 400) {
            reply = reply.withSuffix(" [" + cid + "]");
            lastError = reply.toString();
        }
        traceOut(reply);
        output.write(reply.toWire().getBytes(StandardCharsets.UTF_8));
    }

    /** Line by line: the text's LF separates reply lines (Reply.toWire); a peer's text has none (commands end at LF). */
    private static Reply printableLines(Reply reply) {
        String[] lines = reply.text().split("\n", -1);
        for (int i = 0; i < lines.length; i++) lines[i] = printable(lines[i]);
        return Reply.of(reply.code(), reply.enhanced(), String.join("\n", lines));
    }

    private void sendQuietly(Reply reply) {
        try {
            if (output != null) {
                send(reply);
                flush();
            }
        } catch (IOException ignored) {
            // the peer is gone; nothing to tell it
        }
    }

    private void flush() throws IOException {
        output.flush();
    }

    private static void sleep(java.time.Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String redactAuth(String args) {
        int space = args.indexOf(' ');
        return "AUTH " + (space < 0 ? args : args.substring(0, space) + " <redacted>");
    }

    private void traceIn(String line) {
        if (ctx.config().log().transcripts()) transcript.debug("C: {}", printable(line));
    }

    private void traceOut(Reply reply) {
        if (ctx.config().log().transcripts()) transcript.debug("S: {}", reply);
    }

    /** helo, result (exception messages) and lastError can hold the peer's text: printable, so one line stays one line. */
    private void logSessionEnd(long startNanos) {
        log.info("session end cid={} listener={} peer={} helo={} tls=\"{}\" user={} messages={} result=\"{}\" lastError=\"{}\" durationMs={}",
                cid, kind, plain.getInetAddress().getHostAddress(), printable(helo), tls, account == null ? "-" : account.address(),
                queueIds, printable(result), printable(lastError), (System.nanoTime() - startNanos) / 1_000_000);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
