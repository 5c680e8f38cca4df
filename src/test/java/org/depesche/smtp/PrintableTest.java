package org.depesche.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.Printable.printable;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void terminalEscapesLoneCrNulAndDelBecomeQuestionMarks() {
        assertThat(printable("\u001b]0;pwned\u0007x")).isEqualTo("?]0;pwned?x");
        assertThat(printable("a\rb\nc\u0000d\u007fe")).isEqualTo("a?b?c?d?e");
    }

    @Test
    void c1ControlsLineSeparatorsBomAndBidiControlsBecomeQuestionMarks() {
        assertThat(printable("\u009b2J\u0085\u2028\u2029\uFEFF")).isEqualTo("?2J????");
        assertThat(printable("\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069")).isEqualTo("?????????");
    }

    @Test
    void aTabBecomesASpaceAndLettersOfAnyScriptStay() {
        assertThat(printable("a\tb")).isEqualTo("a b");
        assertThat(printable("Grüße, δοκιμή, 测试 😀 \u200d")).isEqualTo("Grüße, δοκιμή, 测试 😀 \u200d");
    }

    @Test
    void nullStaysNullAndCleanTextIsReturnedUnchanged() {
        assertThat(printable(null)).isNull();
        assertThat(printable(new StringBuilder("250 ok"))).isEqualTo("250 ok");
    }
}
