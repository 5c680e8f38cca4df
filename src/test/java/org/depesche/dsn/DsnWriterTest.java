package org.depesche.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The plain-words part of a report: wrapped lines whatever the length of what a server said. */
class DsnWriterTest {

    /**
     * Finding 6 of issue 8: the wrapper copied the rest of the line for each
     * line it cut off (quadratic: seconds for a megabyte) and left a word
     * without spaces whole, however long. Asserted on the output; the time
     * is only printed.
     */
    @Test
    void aMegabyteLineIsWrappedIntoShortLinesThatKeepEveryWordInOrder() {
        String words = "word ".repeat(100_000);              // 500 KB that wraps at spaces
        String blob = "x".repeat(500_000);                    // 500 KB without a space
        String line = "    " + words + blob + " end";

        long started = System.nanoTime();
        StringBuilder out = new StringBuilder();
        DsnWriter.wrap(out, line);
        System.out.printf("wrapped %d chars into %d in %d ms%n", line.length(), out.length(),
                (System.nanoTime() - started) / 1_000_000);

        assertThat(out.toString()).endsWith("\r\n");
        List<String> lines = Arrays.asList(out.toString().split("\r\n"));
        assertThat(lines).allSatisfy(l -> {
            assertThat(l).startsWith("    ");
            assertThat(l.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4 + DsnWriter.LONGEST_WORD);
        });
        // Lines of words are cut at spaces and fill the 76 columns; the blob is cut into pieces of the longest word.
        assertThat(lines.getFirst()).isEqualTo("    " + "word ".repeat(13) + "word");
        assertThat(lines).filteredOn(l -> l.contains("word")).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(76));
        assertThat(lines).filteredOn(l -> l.contains("x")).hasSizeGreaterThanOrEqualTo(500_000 / DsnWriter.LONGEST_WORD);
        String joined = String.join("", lines.stream().map(l -> l.substring(4)).toList());
        assertThat(joined.replace(" ", "")).isEqualTo(line.replace(" ", ""));
        assertThat(lines.getLast()).endsWith("end");
    }

    @Test
    void aShortLineIsLeftAsItIs() {
        StringBuilder out = new StringBuilder();
        DsnWriter.wrap(out, "    Last attempt: mx.example.org [192.0.2.1].");
        assertThat(out).hasToString("    Last attempt: mx.example.org [192.0.2.1].\r\n");
    }
}
