package org.depesche.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.depesche.queue.Courier;
import org.depesche.queue.Excerpt;

/**
 * Writes a {@link Report} as an RFC 6522 multipart/report with
 * report-type=delivery-status: a text/plain part in plain words, the
 * message/delivery-status part (RFC 3464 2.2, 2.3) and the original header
 * section as text/rfc822-headers. CRLF throughout, lines kept under 998
 * octets (RFC 5322 2.1.1).
 */
public final class DsnWriter {
    private static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HUMAN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int WRAP = 76;
    /** Longest run without a space kept on one line: at most 3 octets a char in UTF-8, far below 998. */
    static final int LONGEST_WORD = 200;
    /** Longest value of a delivery-status field (Diagnostic-Code quotes the server). */
    private static final int FIELD = 900;

    private DsnWriter() {
    }

    public static byte[] write(Report r, Instant now) {
        String boundary = "dsn-" + UUID.randomUUID();
        StringBuilder m = new StringBuilder();
        header(m, "From", "Mail Delivery System <MAILER-DAEMON@" + r.reportingMta() + ">");
        header(m, "To", "<" + r.to() + ">");
        header(m, "Subject", r.kind() == Report.Kind.FAILED ? "Undelivered Mail Returned to Sender"
                : "Delayed Mail (still being retried)");
        header(m, "Date", RFC5322.format(now));
        header(m, "Message-ID", "<" + r.queueId() + "." + (r.kind() == Report.Kind.FAILED ? "bounce" : "delay")
                + "." + now.toEpochMilli() + "@" + r.reportingMta() + ">");
        header(m, "Auto-Submitted", "auto-replied"); // RFC 3834 5
        header(m, "MIME-Version", "1.0");
        header(m, "Content-Type", "multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"");
        m.append("\r\n").append("This is a delivery status notification in MIME format (RFC 3464).\r\n\r\n");

        m.append("--").append(boundary).append("\r\n");
        header(m, "Content-Type", "text/plain; charset=utf-8");
        header(m, "Content-Transfer-Encoding", "8bit");
        header(m, "Content-Description", "Notification");
        m.append("\r\n").append(explanation(r)).append("\r\n");

        m.append("--").append(boundary).append("\r\n");
        header(m, "Content-Type", "message/delivery-status");
        header(m, "Content-Description", "Delivery report");
        m.append("\r\n").append(status(r)).append("\r\n");

        m.append("--").append(boundary).append("\r\n");
        header(m, "Content-Type", "text/rfc822-headers");
        header(m, "Content-Transfer-Encoding", "8bit");
        header(m, "Content-Description", r.contentWithheld() ? "Identifying header fields of the undelivered message"
                : "Headers of the undelivered message");
        m.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = m.toString().getBytes(StandardCharsets.UTF_8);
        out.writeBytes(head);
        out.writeBytes(r.originalHeaders());
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The plain-words part: which recipient, which MX and IP, what failed and why. */
    static String explanation(Report r) {
        List<String> lines = new ArrayList<>();
        lines.add("This is the mail system at " + r.reportingMta() + ".");
        lines.add("");
        if (r.kind() == Report.Kind.FAILED) {
            lines.add("Your message (queued as " + r.queueId() + " on " + HUMAN.format(r.arrival())
                    + ") could not be delivered to the recipients below. It will not be retried.");
        } else {
            lines.add("Your message (queued as " + r.queueId() + " on " + HUMAN.format(r.arrival())
                    + ") has not been delivered yet to the recipients below. This is only a warning: it is still"
                    + " being retried and you need not send it again. You will be told if it finally fails.");
        }
        for (Report.Entry e : r.entries()) {
            lines.add("");
            lines.add("<" + e.original() + ">" + (e.original().equals(e.recipient()) ? "" : " (delivered as <" + e.recipient() + ">)") + ":");
            lines.add("    " + e.explanation());
            if (e.lastHop() != null) {
                Courier.Hop h = e.lastHop();
                lines.add("    Last attempt: " + h.mx() + " [" + h.ip() + "] at " + HUMAN.format(e.lastAttempt())
                        + (h.tlsProtocol().isEmpty() ? ", without TLS" : ", " + h.tlsProtocol() + " "
                        + h.tlsCipher() + ", server authenticated: " + h.authentication())
                        + (h.reply().isEmpty() || !h.replyFromServer() || e.explanation().contains(h.reply())
                        ? "." : "; it said: " + h.reply()));
            }
            if (e.retryUntil() != null) lines.add("    Retried until " + HUMAN.format(e.retryUntil()) + ".");
        }
        lines.add("");
        if (r.contentWithheld()) {
            // RFC 8689 5: a report on a REQUIRETLS message must not disclose what the message said.
            lines.add("Your message was sent with REQUIRETLS, so this report contains none of its content, not even"
                    + " its subject: only its Date, From, To, Cc and Message-ID header fields are attached, to tell"
                    + " which message it was.");
        } else {
            lines.add("The headers of your message are attached.");
        }
        StringBuilder out = new StringBuilder();
        for (String line : lines) wrap(out, line);
        return out.toString();
    }

    /** RFC 3464 2.2 per-message and 2.3 per-recipient fields. */
    static String status(Report r) {
        StringBuilder s = new StringBuilder();
        field(s, "Reporting-MTA", "dns; " + r.reportingMta());
        field(s, "X-Depesche-Queue-ID", r.queueId());
        field(s, "Arrival-Date", RFC5322.format(r.arrival()));
        for (Report.Entry e : r.entries()) {
            s.append("\r\n");
            // Without an ORCPT parameter the address given in RCPT TO is only worth naming when it differs.
            if (!e.original().equals(e.recipient())) field(s, "Original-Recipient", "rfc822; " + e.original());
            field(s, "Final-Recipient", "rfc822; " + e.recipient());
            field(s, "Action", r.kind() == Report.Kind.FAILED ? "failed" : "delayed");
            field(s, "Status", e.status());
            if (e.lastHop() != null) {
                field(s, "Remote-MTA", "dns; " + e.lastHop().mx());
                // A TLS failure or a reply made here is this side's verdict, not what the remote MTA said (RFC 3464 2.3.6).
                if (!e.lastHop().reply().isEmpty() && e.lastHop().tlsFailure().isEmpty() && e.lastHop().replyFromServer())
                    field(s, "Diagnostic-Code", "smtp; " + e.lastHop().reply());
            }
            if (e.lastAttempt() != null) field(s, "Last-Attempt-Date", RFC5322.format(e.lastAttempt()));
            if (e.retryUntil() != null) field(s, "Will-Retry-Until", RFC5322.format(e.retryUntil()));
        }
        return s.toString();
    }

    private static void header(StringBuilder m, String name, String value) {
        m.append(name).append(": ").append(value).append("\r\n");
    }

    /** A field whose value cannot break the structure: no line ends, bounded length. */
    private static void field(StringBuilder s, String name, String value) {
        String v = Excerpt.of(value.replaceAll("[\\r\\n\\t]+", " "), FIELD);
        s.append(name).append(": ").append(v).append("\r\n");
    }

    /**
     * Appends {@code line} wrapped at spaces to {@link #WRAP} columns, the
     * continuation lines indented as the first; a word longer than
     * {@link #LONGEST_WORD} is cut, so that no line nears the 998 octets of
     * RFC 5322 2.1.1 whatever a server said. One pass: every char is looked
     * at a bounded number of times, so a megabyte takes milliseconds.
     */
    static void wrap(StringBuilder out, String line) {
        String indent = line.startsWith("    ") ? "    " : "";
        String text = line.replaceAll("[\\r\\n]+", " ");
        int start = 0;          // where the next output line's text begins
        int floor = indent.length(); // a space at or before it (the first line's indent) is no place to break
        String prefix = "";     // the first line carries its indent in text
        while (text.length() - start > WRAP - prefix.length()) {
            int end = start + WRAP - prefix.length();
            int cut = -1;
            for (int i = end; i > floor && cut < 0; i--) if (text.charAt(i) == ' ') cut = i;
            for (int i = end + 1; i < Math.min(text.length(), start + LONGEST_WORD) && cut < 0; i++)
                if (text.charAt(i) == ' ') cut = i;
            int next = cut + 1;
            if (cut < 0) {
                if (text.length() - start <= LONGEST_WORD) break; // one long word ends the line: keep it whole
                cut = start + LONGEST_WORD;
                if (Character.isHighSurrogate(text.charAt(cut - 1))) cut--;
                next = cut;
            }
            out.append(prefix).append(text, start, cut).append("\r\n");
            start = next;
            floor = start;
            prefix = indent;
        }
        out.append(prefix).append(text, start, text.length()).append("\r\n");
    }

    /** The RFC 3463 code at the start of a reply's text form ("550 5.1.1 ..."), or the fallback. */
    static String statusOf(String reply, String fallback) {
        if (reply == null) return fallback;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^[245]\\d\\d ([245]\\.\\d{1,3}\\.\\d{1,3})\\b").matcher(reply);
        return m.find() ? m.group(1) : fallback;
    }
}
