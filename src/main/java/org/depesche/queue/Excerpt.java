package org.depesche.queue;

/**
 * A bounded excerpt of text that another party controls. An MX may answer
 * with 100 lines of 2 KB (what the client still reads, RFC 5321 4.5.3.1.5
 * asks for 512 octets a line); what the queue keeps of it, what goes into
 * every recipient's state, the attempt history and the bounce, is its
 * beginning, with {@link #CUT} marking the cut (THREATS T14). Control
 * characters are not this class's business: replies are made printable
 * where they are parsed (org.depesche.smtp.client).
 */
public final class Excerpt {
    /** What a hop keeps of a server's reply: its first lines, about two of RFC 5321's. */
    public static final int REPLY = 1024;
    /** A result's words: the reply's excerpt, where it came from, and a few hosts tried before. */
    public static final int DETAIL = 2048;
    /** Marks the place where text was cut: ASCII, so that a report stays 7-bit when the reply was. */
    public static final String CUT = "...";

    private Excerpt() {
    }

    /** {@code text} if it has at most {@code max} chars, else its beginning and {@link #CUT}, {@code max} chars in all. */
    public static String of(String text, int max) {
        if (text == null || text.length() <= max) return text;
        int end = Math.max(0, max - CUT.length());
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) end--; // never half a character
        return text.substring(0, end) + CUT;
    }
}
