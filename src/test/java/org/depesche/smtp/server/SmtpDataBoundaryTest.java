package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.depesche.config.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The end of DATA (RFC 5321 4.1.1.4, THREATS T12) wherever the packets and
 * the server's 8 KiB line buffer and 16 KiB read buffer happen to cut it:
 * the server must find CRLF.CRLF and nothing else, and unstuff dots only at
 * the start of a line.
 */
class SmtpDataBoundaryTest extends ServerTestSupport {

    private static final String HEADER = "From: carol@remote.test\r\nSubject: boundaries\r\n\r\n";

    @Override
    Limits limits() {
        return TestServer.limits(l -> {
            l.maxDataLine = 64 * 1024;
            l.maxMessageSize = 1_000_000;
            return l;
        });
    }

    @Test
    void theEndOfDataSentOneByteAtATimeIsFound() throws Exception {
        try (SmtpTestClient client = readyForData()) {
            client.socket().setTcpNoDelay(true);
            for (byte b : (HEADER + "..stuffed\r\nlast line\r\n.\r\n").getBytes(StandardCharsets.US_ASCII)) {
                client.write(new byte[] {b});
            }
            assertReply(client.read(), 250, "2.0.0");
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.content(server.queued().getFirst())).endsWith(HEADER + ".stuffed\r\nlast line\r\n");
    }

    /** A line whose length puts its CRLF, the final dot or a stuffed dot on either side of 8192 and 16384. */
    @ParameterizedTest
    @ValueSource(ints = {8188, 8189, 8190, 8191, 8192, 8193, 16381, 16382, 16383, 16384, 16385, 24575, 24576})
    void longLinesEndingNearTheBufferSizesKeepTheirDotsAndTheEndOfData(int length) throws Exception {
        String line = "x".repeat(length);
        String sent = HEADER + line + "\r\n..\r\n" + line + "\r\n.\r\n";
        try (SmtpTestClient client = readyForData()) {
            client.write(sent);
            assertReply(client.read(), 250, "2.0.0");
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.content(server.queued().getFirst())).endsWith(HEADER + line + "\r\n.\r\n" + line + "\r\n");
    }

    /** A dot that is not at the start of a line stays, even right after a multiple of 8192 octets of that line. */
    @ParameterizedTest
    @ValueSource(ints = {8191, 8192, 8193, 16384})
    void aDotInTheMiddleOfALongLineIsNeitherUnstuffedNorTheEnd(int length) throws Exception {
        String line = "x".repeat(length);
        try (SmtpTestClient client = readyForData()) {
            client.write(HEADER + line + ".\r\n" + line + "..\r\nafter\r\n.\r\n");
            assertReply(client.read(), 250, "2.0.0");
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.content(server.queued().getFirst()))
                .endsWith(HEADER + line + ".\r\n" + line + "..\r\nafter\r\n");
    }

    /** The data stream is exactly 8192 (or 16384) octets up to the cut, and the terminator is split there by two writes. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void theTerminatorSplitAcrossTwoPacketsAtA8KiBBoundaryIsFound(int splitAt) throws Exception {
        for (int boundary : new int[] {8192, 16384}) {
            String terminator = "\r\n.\r\n";
            int fill = boundary - HEADER.length() - splitAt;
            String body = "y".repeat(fill - 2 - 1) + "\r\n" + "z"; // ends mid-line, so the terminator's CRLF ends it
            String first = HEADER + body + terminator.substring(0, splitAt);
            assertThat(first.length()).isEqualTo(boundary);
            try (SmtpTestClient client = readyForData()) {
                client.socket().setTcpNoDelay(true);
                client.write(first);
                Thread.sleep(50); // lets the server read the first part on its own (no assertion depends on it)
                client.write(terminator.substring(splitAt));
                assertReply(client.read(), 250, "2.0.0");
                expect(client, "NOOP", 250, "2.0.0");
            }
            assertThat(server.content(server.queued().getLast())).endsWith(HEADER + body + "\r\n");
        }
    }

    @Test
    void aDotLineThatIsNotCrlfDotCrlfSplitByteByByteIsContentAndRefused() throws Exception {
        try (SmtpTestClient client = readyForData()) {
            client.socket().setTcpNoDelay(true);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes((HEADER + "body\r\n.\nMAIL FROM:<x@example.org>\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte b : bytes.toByteArray()) client.write(new byte[] {b});
            client.write("\r\n.\r\n");
            assertReply(client.read(), 554, "5.6.0");
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    private SmtpTestClient readyForData() throws IOException {
        SmtpTestClient client = mxAfterEhlo();
        expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
        expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
        expect(client, "DATA", 354, "");
        return client;
    }
}
