package org.depesche.smtp;

/**
 * One SMTP reply: the three-digit code (RFC 5321 4.2), the enhanced status
 * code (RFC 3463, e.g. "5.1.1", empty for 220/221/354 greeting-style replies
 * that carry none) and human-readable text, possibly several lines.
 */
public record Reply(int code, String enhanced, String text) {

    public Reply {
        if (code < 200 || code > 599) throw new IllegalArgumentException("reply code " + code);
        enhanced = enhanced == null ? "" : enhanced;
        text = text == null ? "" : text;
    }

    public static Reply of(int code, String enhanced, String text) {
        return new Reply(code, enhanced, text);
    }

    public boolean isPositive() { return code < 400; }
    public boolean isTransient() { return code >= 400 && code < 500; }
    public boolean isPermanent() { return code >= 500; }

    /** The same reply with text appended (used to add the connection id to errors). */
    public Reply withSuffix(String suffix) {
        return new Reply(code, enhanced, text + suffix);
    }

    /** Wire form: each text line prefixed by code and enhanced code, "-" on all but the last. */
    public String toWire() {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            out.append(code).append(i == lines.length - 1 ? ' ' : '-');
            if (!enhanced.isEmpty()) out.append(enhanced).append(' ');
            out.append(lines[i]).append("\r\n");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return code + (enhanced.isEmpty() ? "" : " " + enhanced) + " " + text.replace('\n', ' ');
    }
}
