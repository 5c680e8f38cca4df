package org.depesche.smtp;

/**
 * Peer-controlled text made safe for a terminal or a log line (issue 8 finding 9).
 */
public final class Printable {
    private Printable() {
    }

    /**
     * {@code s} with every character that a terminal or a log reader would
     * act on replaced by '?': the Unicode Cc controls (ESC starts ANSI/OSC
     * sequences, CR rewrites a line, NUL cuts one, LF forges a new one), the
     * line and paragraph separators U+2028/U+2029, the byte-order mark
     * U+FEFF and the bidirectional controls U+202A-U+202E and U+2066-U+2069
     * (which reorder what a reader sees, CVE-2021-42574). TAB becomes a space.
     */
    public static String printable(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c == '\t' ? ' ' : unsafe(c) ? '?' : c);
        }
        return out.toString();
    }

    private static boolean unsafe(char c) {
        return Character.getType(c) == Character.CONTROL
                || c == '\u2028' || c == '\u2029' || c == '\uFEFF'
                || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
