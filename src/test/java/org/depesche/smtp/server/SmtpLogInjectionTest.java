package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.server.ServerTestSupport.assertReply;
import static org.depesche.smtp.server.ServerTestSupport.expect;
import static org.depesche.smtp.server.ServerTestSupport.plain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer's text reaches the server log (transcript, session end line with
 * lastError) and replies that echo it, but none of its control characters
 * do: no terminal escape (ESC, CSI, OSC, BEL), no lone CR or NUL to forge
 * or cut a log line, no bidi override to disguise one.
 */
class SmtpLogInjectionTest {
    /** ESC ] 0 ; ... BEL retitles a terminal (OSC 0); ESC [ 2 J clears it (CSI). */
    private static final String OSC_TITLE = "\u001b]0;pwned\u0007";
    private static final String CSI_CLEAR = "\u001b[2J";

    @TempDir
    Path dir;
    private TestServer server;
    private CapturedLogs logged;
    private final List<TestReply> replies = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir);
        logged = CapturedLogs.start();
    }

    @AfterEach
    void stop() {
        server.close();
        logged.close();
    }

    @Test
    void escapeSequencesCrAndNulInMailFromReachNeitherTheLogNorTheReply() throws Exception {
        try (SmtpTestClient client = ServerTestSupport.connect(server.mx())) {
            expect(client, "EHLO relay.remote.test", 250, "");
            // No "@": MailAddress.parse says "not local@domain: <the address>", which went into the reply and lastError.
            replies.add(expect(client, "MAIL FROM:<" + OSC_TITLE + "x>", 501, "5.1.7"));
            replies.add(expect(client, "MAIL FROM:<" + CSI_CLEAR + "\rforged log line\u0000>", 501, "5.1.7"));
            replies.add(expect(client, "MAIL FROM:<\u202Eevil\u2028\u009b31m>", 501, "5.1.7"));
            expect(client, "QUIT", 221, "2.0.0");
        }
        server.close(); // waits for the session to end, so its log line is written
        assertThat(replies.getFirst().text()).contains("]0;pwned?x");
        assertNothingUnprintable();
        assertThat(sessionEnd()).contains("lastError=\"501 5.1.7 Bad address syntax: not local@domain: ");
    }

    @Test
    void aC1ControlInAnAcceptedLookingSenderIsNotEchoedRawOnSubmissionEither() throws Exception {
        // U+009B is the 8-bit CSI and passes the address syntax (RFC 6531 allows non-ASCII local parts).
        try (SmtpTestClient client = SmtpTestClient.connectTls(server.submissions(), server.tls.clientContext())) {
            assertThat(client.read().code()).isEqualTo(220);
            expect(client, "EHLO laptop", 250, "");
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret"), 235, "2.7.0");
            TestReply refused = client.command("MAIL FROM:<mallory\u009b2J\u202E@example.org> SMTPUTF8");
            assertReply(refused, 550, "5.7.1");
            replies.add(refused);
            expect(client, "QUIT", 221, "2.0.0");
        }
        server.close();
        assertThat(replies.getFirst().text()).contains("mallory?2J?@example.org");
        assertNothingUnprintable();
        assertThat(sessionEnd()).contains("lastError=\"550 5.7.1 Sender address <mallory?2J?@example.org>");
    }

    private String sessionEnd() {
        return logged.lines().stream().filter(l -> l.startsWith("session end"))
                .findFirst().orElseThrow();
    }

    private void assertNothingUnprintable() {
        List<String> texts = new ArrayList<>(logged.lines());
        replies.forEach(r -> texts.addAll(r.lines()));
        assertThat(texts).isNotEmpty().allSatisfy(t -> assertThat(t.codePoints().filter(SmtpLogInjectionTest::unprintable))
                .as("unprintable characters in %s", t.replaceAll("\\p{Cc}", "\\\\u...")).isEmpty());
    }

    private static boolean unprintable(int c) {
        return Character.getType(c) == Character.CONTROL || c == 0x2028 || c == 0x2029 || c == 0xFEFF
                || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }
}
