package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.depesche.mail.MailAddress;
import org.depesche.smtp.SmtpException;
import org.junit.jupiter.api.Test;

/** The MAIL/RCPT argument parser (RFC 5321 4.1.2), including a small fuzzer. */
class PathArgumentTest {

    @Test
    void aPathWithParametersIsSplitIntoAddressAndUpperCaseKeywords() throws Exception {
        PathArgument p = PathArgument.parse("FROM:<a@example.org> size=10 SMTPUTF8", "FROM:", "5.1.7", true);
        assertThat(p.address()).contains(MailAddress.parse("a@example.org"));
        assertThat(p.parameters()).containsEntry("SIZE", "10").containsEntry("SMTPUTF8", "");
    }

    @Test
    void theNullPathIsAllowedOnlyWhereTheCallerSaysSo() throws Exception {
        assertThat(PathArgument.parse("FROM:<>", "FROM:", "5.1.7", true).address()).isEmpty();
        assertThatThrownBy(() -> PathArgument.parse("TO:<>", "TO:", "5.1.3", false))
                .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.reply().enhanced()).isEqualTo("5.1.3"));
    }

    @Test
    void aSourceRouteIsIgnoredAndASpaceAfterTheColonTolerated() throws Exception {
        PathArgument p = PathArgument.parse("TO: <@relay.test,@other.test:bob@example.org>", "TO:", "5.1.3", false);
        assertThat(p.address()).contains(MailAddress.parse("bob@example.org"));
    }

    @Test
    void aRepeatedParameterIsASyntaxError() {
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@b.test> SIZE=1 SIZE=2", "FROM:", "5.1.7", true))
                .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.reply().code()).isEqualTo(501));
    }

    @Test
    void randomInputEitherParsesOrIsRefusedWithA5xxReplyNeverAnotherException() {
        Random random = new Random(5321);
        String alphabet = "<>@:,.= \"\\abcXYZ019+-_\u00e9\u0000\t[]()";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder(random.nextBoolean() ? "FROM:" : "");
            int len = random.nextInt(40);
            for (int j = 0; j < len; j++) s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            try {
                PathArgument p = PathArgument.parse(s.toString(), "FROM:", "5.1.7", true);
                assertThat(p.parameters()).isNotNull();
            } catch (SmtpException e) {
                assertThat(e.reply().code()).as("input %s", s).isBetween(500, 599);
            }
        }
    }
}
