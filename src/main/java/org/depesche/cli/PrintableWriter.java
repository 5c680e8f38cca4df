package org.depesche.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.CharBuffer;

import org.depesche.smtp.Printable;

/**
 * What every command prints passes through here: text between line ends is
 * made {@link Printable}, so nothing a remote server, a DNS answer or a file
 * under the data directory holds can reach the operator's terminal as an
 * escape sequence, a lone CR or a NUL (issue 8 finding 9). Only LF, the line
 * end of {@link java.io.PrintWriter#println} here, is passed through.
 */
final class PrintableWriter extends FilterWriter {
    PrintableWriter(Writer out) {
        super(out);
    }

    @Override
    public void write(int c) throws IOException {
        write(new char[] {(char) c}, 0, 1);
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        writePrintable(CharBuffer.wrap(chars, offset, length));
    }

    @Override
    public void write(String s, int offset, int length) throws IOException {
        writePrintable(s.subSequence(offset, offset + length));
    }

    private void writePrintable(CharSequence s) throws IOException {
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '\n') continue;
            out.write(Printable.printable(s.subSequence(start, i)));
            out.write('\n');
            start = i + 1;
        }
        out.write(Printable.printable(s.subSequence(start, s.length())));
    }
}
