package org.depesche.smtp.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;

import org.depesche.queue.QueueFullException;
import org.depesche.smtp.Reply;

/**
 * Receives the octets of one message (after dot-unstuffing for DATA, as they
 * come for BDAT) and writes them to the queue while checking them: any CR
 * not followed by LF or LF not preceded by CR, and NUL (THREATS T12, SMTP
 * smuggling: a server that drops NULs would see CRLF NUL "." CRLF as the end),
 * lines over the limit, the message size (RFC 1870), and a full disk. After
 * the first problem it stops writing but keeps counting, so the session can
 * read the message to its real end and only then answer. It also keeps the
 * header section (bounded) for the From check on submission.
 */
final class MessageSink {

    static final int MAX_HEADER_SECTION = 64 * 1024;

    private final OutputStream out;
    private final long maxSize;
    private final int maxLine;
    private long size;
    private int lineLength;
    private boolean lastWasCr;
    private boolean bareCrOrLf;
    private boolean nul;
    private boolean lineTooLong;
    private IOException storageError;
    private byte[] header = new byte[1024];
    private int headerLength;
    private boolean headerComplete;
    private boolean headerTruncated;

    MessageSink(OutputStream out, long maxSize, int maxLine) {
        this.out = out;
        this.maxSize = maxSize;
        this.maxLine = maxLine;
    }

    void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) check(b[i]);
        if (!headerComplete) captureHeader(b, off, len);
        size += len;
        if (problem().isPresent()) return;
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            storageError = e;
        }
    }

    private void check(byte c) {
        if (lastWasCr && c != '\n') bareCrOrLf = true;
        if (c == '\n' && !lastWasCr) bareCrOrLf = true;
        if (c == 0) nul = true;
        lastWasCr = c == '\r';
        if (c == '\n') {
            lineLength = 0;
        } else if (c != '\r' && ++lineLength > maxLine - 2) {
            lineTooLong = true;
        }
    }

    private void captureHeader(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (headerLength == header.length) {
                if (header.length >= MAX_HEADER_SECTION) {
                    headerTruncated = true;
                    headerComplete = true;
                    return;
                }
                header = Arrays.copyOf(header, Math.min(MAX_HEADER_SECTION, header.length * 2));
            }
            header[headerLength++] = b[i];
            // RFC 5322 2.1: the header section ends at the first empty line.
            if (headerLength >= 4 && header[headerLength - 1] == '\n' && header[headerLength - 2] == '\r'
                    && header[headerLength - 3] == '\n' && header[headerLength - 4] == '\r') {
                headerComplete = true;
                return;
            }
            if (headerLength == 2 && header[0] == '\r' && header[1] == '\n') {
                headerComplete = true;
                return;
            }
        }
    }

    /** Marks the end of the message: a CR as the very last octet is bare too. */
    void finish() {
        if (lastWasCr) bareCrOrLf = true;
        try {
            if (problem().isEmpty()) out.flush();
        } catch (IOException e) {
            storageError = e;
        }
    }

    long size() {
        return size;
    }

    /** The header section as received (possibly incomplete), and whether it was cut at the bound. */
    byte[] headerSection() {
        return Arrays.copyOf(header, headerLength);
    }

    boolean headerTruncated() {
        return headerTruncated;
    }

    /** The reply that refuses this message, if something is wrong with it; checked in order of severity. */
    Optional<Reply> problem() {
        if (bareCrOrLf) {
            return Optional.of(Reply.of(554, "5.6.0",
                    "Message contains bare CR or LF line endings, refused (see SMTP smuggling); only CRLF is allowed"));
        }
        if (nul) { // RFC 5322 2.1 and RFC 6152 3 forbid NUL (BINARYMIME is not offered)
            return Optional.of(Reply.of(554, "5.6.0",
                    "Message contains NUL octets, refused (see SMTP smuggling)"));
        }
        if (lineTooLong) {
            return Optional.of(Reply.of(554, "5.6.0", "Message contains a line longer than " + maxLine + " octets"));
        }
        if (size > maxSize) {
            return Optional.of(Reply.of(552, "5.3.4", "Message size exceeds fixed limit of " + maxSize + " octets"));
        }
        if (storageError != null) return Optional.of(storageReply(storageError));
        return Optional.empty();
    }

    /**
     * RFC 3463: 4.3.1 when the queue says it is full, 4.3.0 for any other
     * trouble of ours. The queue itself tells a full disk from other
     * failures ({@link QueueFullException}); nothing here reads its text.
     */
    static Reply storageReply(IOException e) {
        if (isQueueFull(e)) return Reply.of(452, "4.3.1", "Insufficient system storage, message aborted");
        return Reply.of(451, "4.3.0", "Local error while storing the message, try again later");
    }

    private static boolean isQueueFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof QueueFullException) return true;
        }
        return false;
    }
}
