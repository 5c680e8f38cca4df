package org.depesche.mtasts;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The head of an HTTP/1.1 request (RFC 9112 2.1): request line and header
 * fields, read under a deadline and a size cap and parsed strictly. The
 * content, if any, is never read.
 *
 * @param minor the minor version of HTTP/1.x
 * @param fields the header fields in order, names in lower case
 */
record HttpRequestHead(String method, String target, int minor, List<Map.Entry<String, String>> fields) {

    // RFC 9112 3: request-line = method SP request-target SP HTTP-version; method is a token (RFC 9110 9.1).
    private static final Pattern REQUEST_LINE = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\\x21-\\x7e]+) HTTP/([0-9])\\.([0-9])");
    // RFC 9112 5: field-line = field-name ":" OWS field-value OWS; no whitespace before the colon (5.1).
    private static final Pattern FIELD_LINE = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*");

    /** Why a request gets an error response and no policy: the status and a short reason for the body and the log. */
    static final class Rejected extends Exception {
        final int status;

        Rejected(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    /** The values of every field with this (lower-case) name, in order. */
    List<String> values(String name) {
        return fields.stream().filter(f -> f.getKey().equals(name)).map(Map.Entry::getValue).toList();
    }

    /**
     * Reads the head from {@code in} (the input of {@code socket}) until the
     * empty line that ends it. Each read waits at most until {@code deadline}
     * (System.nanoTime()); past it the request is rejected with 408 (RFC 9110
     * 15.5.9), over {@code maxBytes} or {@code maxFields} with 431 (RFC 6585 5).
     */
    static HttpRequestHead read(Socket socket, InputStream in, long deadline, int maxBytes, int maxFields)
            throws IOException, Rejected {
        byte[] buf = new byte[maxBytes];
        int len = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new Rejected(408, "request head not complete in time");
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
            int n;
            try {
                n = in.read(buf, len, buf.length - len);
            } catch (SocketTimeoutException e) {
                throw new Rejected(408, "request head not complete in time");
            }
            if (n < 0) throw new java.io.EOFException("client closed before the end of the request head");
            len += n;
            int start = leadingEmptyLines(buf, len);
            int end = headEnd(buf, start, len);
            if (end >= 0) return parse(new String(buf, start, end - start, StandardCharsets.ISO_8859_1), maxFields);
            if (len == buf.length) throw new Rejected(431, "request head longer than " + maxBytes + " bytes");
        }
    }

    /** RFC 9112 2.2: empty lines before the request line are ignored. */
    private static int leadingEmptyLines(byte[] b, int len) {
        int i = 0;
        while (i < len && (b[i] == '\r' || b[i] == '\n')) i++;
        return i;
    }

    /** The index just past the empty line that ends the head, or -1. A bare LF ends a line too (RFC 9112 2.2). */
    private static int headEnd(byte[] b, int from, int len) {
        for (int i = from; i < len; i++) {
            if (b[i] != '\n') continue;
            if (i + 1 < len && b[i + 1] == '\n') return i + 2;
            if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n') return i + 3;
        }
        return -1;
    }

    static HttpRequestHead parse(String head, int maxFields) throws Rejected {
        List<String> lines = new ArrayList<>();
        for (String line : head.split("\n", -1)) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            // RFC 9112 2.2 (bare CR), RFC 9110 5.5 (CR, LF, NUL in a field value): invalid, rejected.
            if (l.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) throw new Rejected(400, "control character in the request head");
            lines.add(l);
        }
        while (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        if (lines.isEmpty()) throw new Rejected(400, "empty request");
        Matcher rl = REQUEST_LINE.matcher(lines.getFirst());
        if (!rl.matches()) throw new Rejected(400, "malformed request line");
        if (!rl.group(3).equals("1")) throw new Rejected(505, "only HTTP/1.x"); // RFC 9110 15.6.6
        if (lines.size() - 1 > maxFields) throw new Rejected(431, "more than " + maxFields + " header fields");
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.startsWith(" ") || line.startsWith("\t")) throw new Rejected(400, "obsolete line folding"); // RFC 9112 5.2
            Matcher f = FIELD_LINE.matcher(line);
            if (!f.matches()) throw new Rejected(400, "malformed header field"); // RFC 9112 5.1
            fields.add(Map.entry(f.group(1).toLowerCase(Locale.ROOT), f.group(2)));
        }
        return new HttpRequestHead(rl.group(1), rl.group(2), Integer.parseInt(rl.group(4)), List.copyOf(fields));
    }
}
