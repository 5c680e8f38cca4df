package org.depesche.smtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.depesche.mail.BodyType;
import org.depesche.dane.CertificateNames;
import org.depesche.queue.Envelope;
import org.depesche.queue.Excerpt;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.Printable;
import org.depesche.smtp.Reply;
import org.depesche.mail.TlsInfo;
import org.depesche.smtp.client.DeliveryAttempt.RecipientResult;
import org.depesche.smtp.client.DeliveryAttempt.Stage;
import org.depesche.transport.HopRequirement.RequireTls;
import org.depesche.transport.TlsFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to one MX address over one connection, blocking the
 * calling (virtual) thread. The order of the dialogue is the point: greeting,
 * EHLO, STARTTLS and the server's authentication all happen before MAIL
 * FROM, and a requirement that is not met ends the session with QUIT before
 * any part of the message has left (THREATS T1, T2). Never throws for what
 * the network or the server does; every outcome is a {@link DeliveryAttempt}.
 */
public final class SmtpClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SmtpClient.class);

    private final String heloName;
    private final ClientTimeouts timeouts;
    private final Clock clock;
    private final ServerAuthenticator authenticator;
    private final SSLContext handshakeContext;
    private final ScheduledExecutorService watchdog;

    /**
     * @param heloName       our host name for EHLO (RFC 5321 4.1.1.1)
     * @param pkixTrustStore trust anchors for {@link TlsRequirement.Pkix}; null for the JDK's cacerts
     * @param clock          dates PKIX and DANE-TA chain validation
     */
    public SmtpClient(String heloName, ClientTimeouts timeouts, KeyStore pkixTrustStore, Clock clock)
            throws GeneralSecurityException {
        this.heloName = heloName;
        this.timeouts = timeouts;
        this.clock = clock;
        this.authenticator = new ServerAuthenticator(clock, pkixTrustStore);
        this.handshakeContext = ServerAuthenticator.handshakeContext();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("smtp-client-watchdog").factory());
    }

    /**
     * One attempt: connects to {@code address}, uses {@code mxHost} for SNI
     * (under DANE the TLSA base domain instead) and in messages, and
     * delivers {@code message} to all its recipients if {@code requirement}
     * is met.
     */
    public DeliveryAttempt deliver(InetSocketAddress address, String mxHost, TlsRequirement requirement,
                                   OutboundMessage message) {
        DeliveryAttempt attempt = new Attempt(address, mxHost, requirement, message).run();
        log.info("delivery attempt mx={} ip={} tls=\"{}\" auth={} stage={} delivered={}/{} message=\"{}\"",
                mxHost, attempt.ip(), attempt.tls().tls(), attempt.tls().authentication().label(),
                attempt.completed() ? "done" : attempt.failedStage().label(), attempt.delivered().size(),
                attempt.recipients().size(), Excerpt.of(attempt.message(), Excerpt.DETAIL));
        return attempt;
    }

    /**
     * Checks {@code address} the way {@link #deliver} starts a session and
     * stops where MAIL FROM would follow: greeting, EHLO, STARTTLS and the
     * server's authentication under {@code requirement}, EHLO again inside
     * TLS, then QUIT. No MAIL FROM is ever sent, so nothing is queued at the
     * other end; `depesche probe` uses it to state what delivery would do.
     * Never throws for the network.
     */
    public ServerCheck check(InetSocketAddress address, String mxHost, TlsRequirement requirement) {
        return new Attempt(address, mxHost, requirement, null).check();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    /**
     * Ends an attempt early: the stage, the reply every still-open recipient
     * gets, and why in words. The words are made {@link Printable}: besides
     * replies (already printable) they quote exception messages, which may
     * carry what the peer sent (issue 8 finding 9).
     */
    private static final class Failure extends Exception {
        final Stage stage;
        final Reply reply;
        final boolean sayQuit;
        final boolean fromServer;

        Failure(Stage stage, Reply reply, String message, boolean sayQuit) {
            this(stage, reply, message, sayQuit, false);
        }

        Failure(Stage stage, Reply reply, String message, boolean sayQuit, boolean fromServer) {
            super(Printable.printable(message), null, false, false);
            this.stage = stage;
            this.reply = reply;
            this.sayQuit = sayQuit;
            this.fromServer = fromServer;
        }
    }

    /** The state of one attempt; lives as long as {@link #deliver}. */
    private final class Attempt {
        private final InetSocketAddress address;
        private final String mxHost;
        private final TlsRequirement requirement;
        private final OutboundMessage message;
        private final Instant startedAt = clock.instant();
        private final Map<MailAddress, Reply> rcptReplies = new LinkedHashMap<>();
        private SmtpConnection conn;
        private TlsOutcome tls = TlsOutcome.PLAINTEXT;
        private Map<String, String> extensions = Map.of();
        private boolean envelopeSent;
        private boolean contentSent;
        private String greeting = "";
        private boolean starttlsOffered;
        private List<X509Certificate> chain = List.of();

        Attempt(InetSocketAddress address, String mxHost, TlsRequirement requirement, OutboundMessage message) {
            this.address = address;
            this.mxHost = mxHost;
            this.requirement = requirement;
            this.message = message;
        }

        DeliveryAttempt run() {
            try {
                connect();
                hello();
                secure();
                return transaction();
            } catch (Failure f) {
                if (f.sayQuit) quit();
                return failed(f);
            } finally {
                if (conn != null) conn.close();
            }
        }

        /** {@link #check}: the session up to where MAIL FROM would follow, then QUIT. */
        ServerCheck check() {
            Stage failed = Stage.NONE;
            String why = "";
            try {
                connect();
                hello();
                secure();
                quit();
            } catch (Failure f) {
                if (f.sayQuit) quit();
                failed = f.stage;
                why = f.getMessage();
            } finally {
                if (conn != null) conn.close();
            }
            ServerCheck.Certificate certificate = null;
            if (!chain.isEmpty()) {
                ServerAuthenticator.Verdict pkix = authenticator.verify(new TlsRequirement.Pkix(Set.of(mxHost)), mxHost,
                        chain, tls.tls());
                certificate = new ServerCheck.Certificate(CertificateNames.presentedNames(chain.getFirst(), false),
                        pkix.ok(), pkix.reason(), sha256(chain.getFirst()));
            }
            String ip = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
            return new ServerCheck(mxHost, ip, greeting, starttlsOffered, tls, extensions.keySet(), offersRequireTls(),
                    certificate, failed, why);
        }

        private String where() {
            return mxHost + " [" + (address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress()) + "]";
        }

        private void connect() throws Failure {
            try {
                conn = SmtpConnection.open(address, timeouts.connect(), timeouts.replies().command(), watchdog);
            } catch (IOException e) {
                throw new Failure(Stage.CONNECT, Reply.of(451, "4.4.1", "no answer from " + where()),
                        "could not connect to " + where() + ": " + e.getMessage(), false);
            }
            Reply greeting = read(Stage.GREETING, timeouts.replies().greeting());
            this.greeting = greeting.toString();
            if (greeting.code() != 220) throw serverSaid(Stage.GREETING, greeting); // RFC 5321 3.1: 554 means no service
        }

        private void hello() throws Failure {
            Reply reply = command("EHLO " + heloName, Stage.EHLO, timeouts.replies().command());
            if (reply.code() == 250) {
                extensions = parseEhlo(reply);
                // RFC 2034: enhanced codes are parsed only when announced.
                conn.enhancedStatusCodes = extensions.containsKey("ENHANCEDSTATUSCODES");
                return;
            }
            if (reply.isPermanent() && !requirement.tlsMandatory()) { // RFC 5321 3.2: HELO for servers without EHLO
                Reply helo = command("HELO " + heloName, Stage.EHLO, timeouts.replies().command());
                if (helo.code() != 250) throw serverSaid(Stage.EHLO, helo);
                extensions = Map.of();
                return;
            }
            if (reply.isPermanent()) throw notOffered("refused EHLO (" + reply + "), so it cannot offer STARTTLS");
            throw serverSaid(Stage.EHLO, reply);
        }

        private Failure notOffered(String why) {
            tls = TlsOutcome.failed(TlsInfo.NONE, TlsFailure.STARTTLS_NOT_SUPPORTED);
            return new Failure(Stage.STARTTLS, Reply.of(451, "4.7.4", "TLS is required, but was not offered by " + where()),
                    mxHost + " does not offer STARTTLS" + (why.isEmpty() ? "" : ": it " + why), true);
        }

        /** RFC 3207; THREATS T1 and T2: nothing of the message before the requirement holds. */
        private void secure() throws Failure {
            starttlsOffered = extensions.containsKey("STARTTLS");
            if (requirement instanceof TlsRequirement.None) return;
            boolean mandatory = requirement.tlsMandatory();
            if (!starttlsOffered) {
                if (mandatory) throw notOffered("");
                return;
            }
            Reply reply = command("STARTTLS", Stage.STARTTLS, timeouts.replies().command());
            if (reply.code() != 220) {
                if (!mandatory) return; // RFC 3207 4: go on in plaintext when the server declines
                tls = TlsOutcome.failed(TlsInfo.NONE, TlsFailure.STARTTLS_REFUSED);
                throw new Failure(Stage.STARTTLS, Reply.of(451, "4.7.4", "STARTTLS refused by " + where()),
                        where() + " refused STARTTLS: " + reply, true);
            }
            if (conn.hasBufferedInput()) {
                tls = TlsOutcome.failed(TlsInfo.NONE, TlsFailure.HANDSHAKE_FAILED);
                throw new Failure(Stage.STARTTLS, Reply.of(451, "4.5.0", "protocol error by " + where()),
                        where() + " sent data after its reply to STARTTLS (RFC 3207 4.2), a sign of injection", false);
            }
            handshakeAndVerify();
            extensions = Map.of(); // RFC 3207 4.2: forget what was learnt in plaintext
            conn.enhancedStatusCodes = false;
            Reply ehlo = command("EHLO " + heloName, Stage.EHLO, timeouts.replies().command());
            if (ehlo.code() != 250) throw serverSaid(Stage.EHLO, ehlo);
            extensions = parseEhlo(ehlo);
            conn.enhancedStatusCodes = extensions.containsKey("ENHANCEDSTATUSCODES");
        }

        private void handshakeAndVerify() throws Failure {
            SSLSession session;
            try {
                SSLSocket socket = conn.startTls(handshakeContext, serverName(), timeouts.replies().command());
                session = socket.getSession();
            } catch (IOException e) {
                // For Opportunistic the caller may retry in plaintext; reconnecting is its decision.
                tls = TlsOutcome.failed(TlsInfo.NONE, TlsFailure.HANDSHAKE_FAILED);
                throw new Failure(Stage.STARTTLS, Reply.of(451, "4.7.5", "TLS handshake failed with " + where()),
                        "the TLS handshake with " + where() + " failed: " + e.getMessage(), false);
            }
            TlsInfo info = new TlsInfo(session.getProtocol(), session.getCipherSuite());
            chain = peerChain(session);
            ServerAuthenticator.Verdict verdict = chain.isEmpty()
                    ? ServerAuthenticator.Verdict.failed(TlsFailure.HANDSHAKE_FAILED, mxHost + " presented no certificate")
                    : authenticator.verify(requirement, mxHost, chain, info);
            if (!verdict.ok() && requirement.tlsMandatory()) {
                tls = TlsOutcome.failed(info, verdict.failure().orElseThrow());
                throw new Failure(Stage.TLS_AUTH, Reply.of(451, "4.7.5", verdict.reason()), verdict.reason(), true);
            }
            tls = new TlsOutcome(info, verdict.ok() ? verdict.authentication() : Authentication.NONE, Optional.empty(),
                    audit(chain, info));
        }

        /** RFC 8461 5.2: in MTA-STS testing mode the PKIX verdict is recorded, never enforced. */
        private Optional<TlsOutcome.AuditFailure> audit(List<X509Certificate> chain, TlsInfo info) {
            if (requirement.pkixAudit().isEmpty()) return Optional.empty();
            if (chain.isEmpty())
                return Optional.of(new TlsOutcome.AuditFailure(TlsFailure.HANDSHAKE_FAILED, mxHost + " presented no certificate"));
            ServerAuthenticator.Verdict v = authenticator.verify(new TlsRequirement.Pkix(requirement.pkixAudit()), mxHost, chain, info);
            return v.failure().map(f -> new TlsOutcome.AuditFailure(f, v.reason()));
        }

        /** RFC 7672 8.1: with DANE the SNI name is the TLSA base domain; otherwise the MX host name. */
        private String serverName() {
            return requirement instanceof TlsRequirement.Dane d ? d.referenceNames().iterator().next() : mxHost;
        }

        private List<X509Certificate> peerChain(SSLSession session) {
            try {
                Certificate[] certs = session.getPeerCertificates();
                return Arrays.stream(certs).filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
            } catch (IOException e) {
                return List.of();
            }
        }

        /** The replies to MAIL and DATA; {@code data} is null when DATA has not been sent yet. */
        private record EnvelopeReplies(Reply mail, Reply data) {
        }

        private DeliveryAttempt transaction() throws Failure {
            requireTlsOffered();
            String mail = mailCommand();
            envelopeSent = true;
            EnvelopeReplies replies = extensions.containsKey("PIPELINING") ? pipelined(mail) : stepByStep(mail);
            boolean anyAccepted = rcptReplies.values().stream().anyMatch(Reply::isPositive);
            if (!replies.mail().isPositive() || !anyAccepted) {
                // RFC 2920 3.1 forbids 354 here; closing without the dot makes the server drop the empty message.
                if (replies.data() != null && replies.data().code() == 354) conn.close();
                else quit();
            }
            if (!replies.mail().isPositive()) {
                rcptReplies.clear(); // the RCPT replies only echo the failed MAIL
                Failure f = serverSaid(Stage.MAIL, replies.mail());
                return finish(f.stage, f.reply, f.getMessage(), f.fromServer);
            }
            if (!anyAccepted) return finish(Stage.RCPT, null, where() + " refused every recipient", false);
            Reply data = replies.data() != null ? replies.data() : command("DATA", Stage.DATA, timeouts.replies().dataInit());
            if (data.code() != 354) throw serverSaid(Stage.DATA, data);
            sendContent();
            Reply end = read(Stage.DATA, timeouts.content().finalReply());
            quit();
            if (!end.isPositive()) return finish(Stage.DATA, end, said(end, Stage.DATA), true);
            return finish(Stage.NONE, end, "", true);
        }

        /** RFC 2920 3.1: MAIL, every RCPT and DATA as one group, the replies read in order. */
        private EnvelopeReplies pipelined(String mail) throws Failure {
            send(mail, Stage.MAIL);
            for (MailAddress r : message.recipients()) send("RCPT TO:<" + r + ">", Stage.MAIL);
            send("DATA", Stage.MAIL);
            flush(Stage.MAIL, timeouts.replies().mail());
            Reply mailReply = read(Stage.MAIL, timeouts.replies().mail());
            for (MailAddress r : message.recipients()) rcptReplies.put(r, read(Stage.RCPT, timeouts.replies().rcpt()));
            return new EnvelopeReplies(mailReply, read(Stage.DATA, timeouts.replies().dataInit()));
        }

        private EnvelopeReplies stepByStep(String mail) throws Failure {
            Reply mailReply = command(mail, Stage.MAIL, timeouts.replies().mail());
            if (mailReply.isPositive()) {
                for (MailAddress r : message.recipients()) {
                    rcptReplies.put(r, command("RCPT TO:<" + r + ">", Stage.RCPT, timeouts.replies().rcpt()));
                }
            }
            return new EnvelopeReplies(mailReply, null);
        }

        /**
         * RFC 8689 4.2.1 step 5: a REQUIRETLS message goes only to a server
         * that offers REQUIRETLS in its EHLO reply inside TLS; otherwise QUIT
         * before MAIL FROM, and the next MX host is tried.
         */
        private void requireTlsOffered() throws Failure {
            if (message.requireTls() != RequireTls.REQUIRED || offersRequireTls()) return;
            tls = new TlsOutcome(tls.tls(), tls.authentication(), Optional.of(TlsFailure.REQUIRETLS_NOT_OFFERED),
                    tls.auditFailure());
            throw new Failure(Stage.EHLO, Reply.of(550, "5.7.30", "REQUIRETLS support required, but not offered by " + where()),
                    mxHost + " does not offer REQUIRETLS (RFC 8689), which this message requires", true);
        }

        /** Only an EHLO reply inside TLS counts (RFC 8689 2: REQUIRETLS is offered only after STARTTLS). */
        private boolean offersRequireTls() {
            return tls.tls().isEncrypted() && extensions.containsKey("REQUIRETLS");
        }

        /** RFC 1870, RFC 6152, RFC 6531, RFC 8689 parameters; refuses locally what the server already said it cannot take. */
        private String mailCommand() throws Failure {
            StringBuilder mail = new StringBuilder("MAIL FROM:<").append(message.sender().map(MailAddress::toString).orElse("")).append('>');
            String sizeLimit = extensions.get("SIZE");
            if (sizeLimit != null && message.size() > 0) {
                long max = parseLong(sizeLimit);
                if (max > 0 && message.size() > max) { // RFC 1870 6.1
                    throw new Failure(Stage.MAIL, Reply.of(552, "5.3.4", "message too big for " + where()),
                            "the message (" + message.size() + " octets) is larger than " + where() + " accepts (" + max + ")", true);
                }
                mail.append(" SIZE=").append(message.size());
            }
            // 8-bit content to a server without 8BITMIME goes as is, as other MTAs do; BODY= only when announced.
            if (message.bodyType() == BodyType.EIGHT_BIT_MIME && extensions.containsKey("8BITMIME")) mail.append(" BODY=8BITMIME");
            if (message.needsSmtpUtf8()) {
                if (!extensions.containsKey("SMTPUTF8")) { // RFC 6531 3.5: no downgrade
                    throw new Failure(Stage.MAIL, Reply.of(550, "5.6.7", "SMTPUTF8 not supported by " + where()),
                            where() + " does not support SMTPUTF8, which this message needs", true);
                }
                mail.append(" SMTPUTF8");
            }
            // Decision 3: mail from a secure sender carries REQUIRETLS wherever the next hop offers it.
            if (message.requireTls() != RequireTls.NO && offersRequireTls()) mail.append(" REQUIRETLS");
            return mail.toString();
        }

        /** RFC 5321 4.5.2: dot-stuffing; a missing final CRLF is added, bare LF becomes CRLF. */
        private void sendContent() throws Failure {
            contentSent = true;
            byte[] chunk = new byte[65536];
            byte[] stuffed = new byte[chunk.length * 3 + 5];
            int prev = '\n';
            try (InputStream content = openContent()) {
                for (int n; (n = readContent(content, chunk)) > 0; ) {
                    int m = 0;
                    for (int i = 0; i < n; i++) {
                        byte b = chunk[i];
                        if (b == '\n' && prev != '\r') stuffed[m++] = '\r';
                        if (b == '.' && prev == '\n') stuffed[m++] = '.';
                        stuffed[m++] = b;
                        prev = b;
                    }
                    write(stuffed, m);
                }
            } catch (IOException e) {
                // closing the queued file failed after it was read: the content is complete
            }
            int m = 0;
            if (prev != '\n') {
                stuffed[m++] = '\r';
                stuffed[m++] = '\n';
            }
            for (byte b : new byte[] {'.', '\r', '\n'}) stuffed[m++] = b;
            write(stuffed, m);
            flush(Stage.DATA, timeouts.content().block());
        }

        private InputStream openContent() throws Failure {
            try {
                return message.content().open();
            } catch (IOException e) {
                throw localContentError(e);
            }
        }

        private int readContent(InputStream content, byte[] chunk) throws Failure {
            try {
                return content.readNBytes(chunk, 0, chunk.length);
            } catch (IOException e) {
                throw localContentError(e);
            }
        }

        /** Closing without the final dot makes the server discard the partial message (RFC 5321 4.1.1.4). */
        private Failure localContentError(IOException e) {
            conn.close();
            return new Failure(Stage.DATA, Reply.of(451, "4.3.0", "local error reading the queued message"),
                    "the queued message could not be read: " + e.getMessage(), false);
        }

        /** RFC 5321 4.5.3.2.5: each block of data must be taken within the data block timeout. */
        private void write(byte[] bytes, int length) throws Failure {
            try {
                conn.write(bytes, length, timeouts.content().block());
            } catch (IOException e) {
                throw ioFailure(Stage.DATA, e);
            }
        }

        private Reply command(String line, Stage stage, Duration timeout) throws Failure {
            send(line, stage);
            flush(stage, timeout);
            return read(stage, timeout);
        }

        private void send(String line, Stage stage) throws Failure {
            try {
                conn.send(line);
            } catch (IOException e) {
                throw ioFailure(stage, e);
            }
        }

        private void flush(Stage stage, Duration timeout) throws Failure {
            try {
                conn.flush(timeout);
            } catch (IOException e) {
                throw ioFailure(stage, e);
            }
        }

        private Reply read(Stage stage, Duration timeout) throws Failure {
            try {
                return conn.read(timeout);
            } catch (IOException e) {
                throw ioFailure(stage, e);
            }
        }

        private Failure ioFailure(Stage stage, IOException e) {
            if (e instanceof SocketTimeoutException || (conn != null && conn.expired())) {
                return new Failure(stage, Reply.of(451, "4.4.2", "timeout talking to " + where()),
                        where() + " did not answer in time (" + context(stage) + ")", false);
            }
            if (e instanceof SmtpConnection.SmtpProtocolException) {
                return new Failure(stage, Reply.of(451, "4.5.0", "protocol error by " + where()),
                        where() + " broke the SMTP protocol (" + context(stage) + "): " + e.getMessage(), false);
            }
            return new Failure(stage, Reply.of(451, "4.4.2", "connection lost with " + where()),
                    "lost connection with " + where() + " (" + context(stage) + "): " + e.getMessage(), false);
        }

        private Failure serverSaid(Stage stage, Reply reply) {
            // A 2xx or 3xx where another reply was due is a protocol error, not a delivery.
            Reply decisive = reply.code() >= 400 ? reply : Reply.of(451, "4.5.0", "unexpected reply " + reply);
            return new Failure(stage, decisive, said(reply, stage), true, decisive == reply);
        }

        private String said(Reply reply, Stage stage) {
            return where() + " said: " + reply + " (" + context(stage) + ")";
        }

        private static String context(Stage stage) {
            return switch (stage) {
                case CONNECT -> "while connecting";
                case GREETING -> "in the initial greeting";
                case EHLO -> "in reply to EHLO";
                case STARTTLS, TLS_AUTH -> "in reply to STARTTLS";
                case MAIL -> "in reply to MAIL FROM";
                case RCPT -> "in reply to RCPT TO";
                case DATA -> "in reply to DATA or the end of data";
                case NONE -> "after the end of the transaction";
            };
        }

        private void quit() {
            conn.quit(timeouts.replies().command());
        }

        private DeliveryAttempt failed(Failure f) {
            return finish(f.stage, f.reply, f.getMessage(), f.fromServer);
        }

        /** Recipients the server refused keep their RCPT reply; the others get {@code common}. */
        private DeliveryAttempt finish(Stage stage, Reply common, String summary, boolean commonFromServer) {
            List<RecipientResult> results = new ArrayList<>();
            for (MailAddress r : message.recipients()) {
                Reply rcpt = rcptReplies.get(r);
                if (rcpt != null && !rcpt.isPositive()) {
                    results.add(new RecipientResult(r, rcpt, said(rcpt, Stage.RCPT), true));
                } else {
                    String diagnostic = stage == Stage.NONE ? "" : summary;
                    results.add(new RecipientResult(r, common, diagnostic, commonFromServer));
                }
            }
            boolean dataAnswered = (stage == Stage.NONE || stage == Stage.DATA) && common != null && contentSent;
            return new DeliveryAttempt(mxHost, address, startedAt, requirement, tls, extensions.keySet(), results,
                    dataAnswered ? java.util.Optional.of(common) : java.util.Optional.empty(),
                    stage, envelopeSent, contentSent, summary);
        }
    }

    /** EHLO keywords (upper case) and their parameters, RFC 5321 4.1.1.1. */
    static Map<String, String> parseEhlo(Reply reply) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = reply.text().split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) continue;
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            out.put(keyword, space < 0 ? "" : line.substring(space + 1).trim());
        }
        return out;
    }

    private static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            return "";
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
