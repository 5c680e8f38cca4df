package org.depesche.dsn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.nio.charset.StandardCharsets;

import org.apache.james.mime4j.dom.Header;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.util.ByteSequence;
import org.depesche.mail.BodyType;
import org.depesche.directory.Directory;
import org.depesche.queue.Courier;
import org.depesche.queue.Envelope;
import org.depesche.queue.Queue;
import org.depesche.queue.QueueRunner;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns failed and long-delayed recipients into delivery status
 * notifications and queues them for the sender, with the null reverse path
 * (RFC 5321 4.5.5, RFC 3464 2). A message that came with the null sender
 * gets none, which is what keeps two servers from bouncing bounces forever.
 */
public final class Bouncer {
    private static final Logger log = LoggerFactory.getLogger(Bouncer.class);
    private static final int MAX_HEADERS = 64 * 1024;
    private static final String EXPIRED = "expired";

    private final Queue reports;
    private final Queue queue;
    private final Directory directory;
    private final String hostname;
    private final Duration maxLifetime;
    private final Clock clock;

    public Bouncer(Queue queue, Directory directory, String hostname, Duration maxLifetime, Clock clock) {
        this(queue, queue, directory, hostname, maxLifetime, clock);
    }

    /** {@code reports}: where reports are queued; {@code queue}: where the messages they are about are read. */
    public Bouncer(Queue reports, Queue queue, Directory directory, String hostname, Duration maxLifetime,
                   Clock clock) {
        this.reports = reports;
        this.queue = queue;
        this.directory = directory;
        this.hostname = hostname;
        this.maxLifetime = maxLifetime;
        this.clock = clock;
    }

    /** Registers with the runner: bounces when a message is done, a delay notice after {@code delayNoticeAfter}. */
    public void attach(QueueRunner runner, Duration delayNoticeAfter) {
        runner.onDone(this::bounce);
        runner.onDelayed(delayNoticeAfter, this::delayNotice);
    }

    /**
     * A failure report for the recipients that failed, if any and if there is
     * a sender to tell: the report's queue id, or empty if none is due.
     * Throws if the report could not be queued (a full disk).
     */
    public Optional<String> bounce(QueuedMessage m) throws IOException {
        List<Report.Entry> entries = new ArrayList<>();
        for (int i = 0; i < m.states().size(); i++) {
            if (m.states().get(i).state() == QueuedMessage.State.FAILED) entries.add(entry(m, i, false));
        }
        return send(m, Report.Kind.FAILED, entries);
    }

    /** A delay report for the recipients still pending; throws as {@link #bounce} does. */
    public Optional<String> delayNotice(QueuedMessage m) throws IOException {
        List<Report.Entry> entries = m.pending().stream().map(i -> entry(m, i, true)).toList();
        return send(m, Report.Kind.DELAYED, entries);
    }

    private Optional<String> send(QueuedMessage m, Report.Kind kind, List<Report.Entry> entries) throws IOException {
        if (entries.isEmpty()) return Optional.empty();
        if (m.envelope().sender().isEmpty()) { // RFC 5321 4.5.5: never notify the null sender
            log.info("event=dsn-suppressed queue_id={} kind={} reason=\"null sender\"", m.id(), kind);
            return Optional.empty();
        }
        MailAddress sender = m.envelope().sender().get();
        Optional<Recipient> to = recipient(sender);
        if (to.isEmpty()) {
            log.warn("event=dsn-dropped queue_id={} kind={} sender={} reason=\"no such local mailbox\"", m.id(), kind, sender);
            return Optional.empty();
        }
        TransportDemand demand = m.envelope().demand();
        // RFC 8689 5: a report on a REQUIRETLS message carries none of its content and itself travels with REQUIRETLS.
        boolean withheld = demand.requireTls();
        byte[] headers = withheld ? identifying(headers(m)) : headers(m);
        Report report = new Report(kind, hostname, m.id(), m.envelope().receivedAt(), sender, entries, headers, withheld);
        byte[] content = DsnWriter.write(report, clock.instant());
        try (Queue.Incoming in = reports.begin()) {
            try (OutputStream out = in.content()) {
                out.write(content);
            }
            boolean eightBit = !isAscii(content);
            Envelope env = new Envelope(Optional.empty(), List.of(to.get()), clock.instant(),
                    m.envelope().connectionId(), "localhost", TlsInfo.NONE, Optional.empty(),
                    sender.isInternational(), eightBit ? BodyType.EIGHT_BIT_MIME : BodyType.SEVEN_BIT)
                    .withDemand(demand.demandsAnything() ? demand.withTlsRequiredNo(false) : TransportDemand.NONE);
            QueuedMessage dsn = in.commit(env);
            log.info("event=dsn-queued queue_id={} dsn_id={} kind={} to={} recipients={}", m.id(), dsn.id(),
                    kind.name().toLowerCase(), sender, entries.size());
            return Optional.of(dsn.id());
        }
    }

    /** A local sender goes to its mailbox (aliases resolved); a remote one to itself. */
    private Optional<Recipient> recipient(MailAddress sender) {
        if (!directory.isLocalDomain(sender.domain())) return Optional.of(new Recipient(sender, sender));
        return directory.resolve(sender).stream().findFirst().map(mailbox -> new Recipient(sender, mailbox));
    }

    private Report.Entry entry(QueuedMessage m, int i, boolean delayed) {
        Recipient r = m.envelope().recipients().get(i);
        QueuedMessage.RecipientState state = m.states().get(i);
        List<QueuedMessage.Attempt> mine = m.attempts().stream().filter(a -> a.recipient().equals(r.mailbox())).toList();
        Optional<QueuedMessage.Attempt> lastReal = mine.reversed().stream()
                .filter(a -> a.detail() == null || !a.detail().startsWith(EXPIRED)).findFirst();
        Courier.Hop hop = lastReal.map(QueuedMessage.Attempt::hop).orElse(null);
        String detail = lastReal.map(QueuedMessage.Attempt::detail).orElse(state.detail());
        boolean expired = state.detail() != null && state.detail().startsWith(EXPIRED);
        String explanation = detail == null ? "No attempt was made yet." : withoutStatus(detail);
        if (expired) explanation = "It could not be delivered within " + words(maxLifetime) + ". "
                + (detail == null || detail.startsWith(EXPIRED) ? "" : "The last attempt failed: " + explanation);
        String fallback = delayed ? "4.0.0" : expired ? "4.4.7" : "5.0.0";
        String fromHop = hop != null ? DsnWriter.statusOf(hop.reply(), fallback) : fallback;
        // A server's reply decides; a verdict made here (a refused MX, say) may carry its own code first.
        String status = hop != null && hop.replyFromServer() ? fromHop : leadingStatus(detail, fromHop);
        if (expired) status = "4.4.7"; // RFC 3463 X.4.7: delivery time expired
        Instant last = mine.isEmpty() ? null : mine.getLast().at();
        Instant until = delayed ? m.envelope().receivedAt().plus(maxLifetime) : null;
        return new Report.Entry(r.original(), r.mailbox(), status, explanation.strip(), hop, last, until);
    }

    /** Local failures without a server reply may start with their RFC 3463 code ("5.1.10 ..."). */
    private static String leadingStatus(String detail, String fallback) {
        if (detail != null && detail.matches("^[245]\\.\\d{1,3}\\.\\d{1,3} .*")) return detail.substring(0, detail.indexOf(' '));
        return fallback;
    }

    private static String withoutStatus(String detail) {
        return detail.replaceFirst("^[245]\\.\\d{1,3}\\.\\d{1,3} ", "");
    }

    private static String words(Duration d) {
        if (d.toHours() % 24 == 0 && d.toDays() > 0) return d.toDays() + (d.toDays() == 1 ? " day" : " days");
        if (d.toMinutes() % 60 == 0 && d.toHours() > 0) return d.toHours() + (d.toHours() == 1 ? " hour" : " hours");
        return d.toMinutes() + " minutes";
    }

    /** The header section of the queued message, up to the empty line, at most 64 KiB. */
    private byte[] headers(QueuedMessage m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = queue.openContent(m.id())) {
            int last4 = 0, b;
            while (out.size() < MAX_HEADERS && (b = in.read()) >= 0) {
                out.write(b);
                last4 = (last4 << 8) | b;
                if (last4 == 0x0d0a0d0a) break; // the empty line ending the header section
            }
        } catch (IOException e) {
            log.warn("event=dsn-headers-unreadable queue_id={} error=\"{}\"", m.id(), e.toString());
        }
        return out.toByteArray();
    }

    /** The header fields that tell which message a report is about, and nothing of what it says. */
    private static final Set<String> IDENTIFYING = Set.of("date", "from", "to", "cc", "message-id");

    /** Only the {@link #IDENTIFYING} fields of a header section, unfolded lines kept as they were. */
    static byte[] identifying(byte[] headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Header header = new DefaultMessageBuilder().parseHeader(new ByteArrayInputStream(headers));
            for (Field f : header.getFields()) {
                if (!IDENTIFYING.contains(f.getName().toLowerCase(Locale.ROOT))) continue;
                ByteSequence raw = f.getRaw();
                out.write(raw == null ? (f.getName() + ": " + f.getBody()).getBytes(StandardCharsets.UTF_8) : raw.toByteArray());
                out.write('\r');
                out.write('\n');
            }
        } catch (IOException | RuntimeException e) {
            log.warn("event=dsn-headers-unparsable error=\"{}\"", e.toString());
        }
        return out.toByteArray();
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) if (x < 0) return false;
        return true;
    }
}
