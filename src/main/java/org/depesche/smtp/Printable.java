package org.depesche.smtp;

/**
 * Makes text that a peer controls safe to print: in a log line, in an SMTP
 * reply that echoes it, on an operator's terminal. A peer must not be able to
 * move the cursor, retitle the terminal (ESC, CSI, OSC sequences), start a
 * fake log line (CR, LF, U+2028), hide or reorder text (bidi controls, the
 * zero-width U+FEFF) or cut a line short (NUL).
 *
 * <p>Every character of Unicode category Cc (C0 controls, DEL, C1 controls,
 * among them ESC and the 8-bit CSI), the line and paragraph separators
 * U+2028/U+2029, U+FEFF and the bidi embedding, override and isolate
 * controls U+202A-U+202E and U+2066-U+2069 become '?'; a TAB becomes a
 * space. All other characters, letters of any script included, stay as they
 * are.
 */
public final class Printable {

    private Printable() {}

    /** The text with every unprintable character replaced; null stays null. */
    public static String printable(CharSequence s) {
        if (s == null) return null;
        int length = s.length();
        int first = 0;
        while (first < length && !isUnprintable(s.charAt(first))) first++;
        if (first == length) return s.toString();
        StringBuilder out = new StringBuilder(length);
        out.append(s, 0, first);
        for (int i = first; i < length; i++) {
            char c = s.charAt(i);
            if (c == '\t') out.append(' ');
            else out.append(isUnprintable(c) ? '?' : c);
        }
        return out.toString();
    }

    /*
     * Every character matched here is in the Basic Multilingual Plane, so a
     * check per UTF-16 unit is exact and leaves surrogate pairs (emoji,
     * historic scripts) intact.
     */
    private static boolean isUnprintable(char c) {
        return Character.getType(c) == Character.CONTROL
                || c == '\u2028' || c == '\u2029'
                || c == '\uFEFF'
                || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
