package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The arithmetic of the minimum data rate, on given instants: no sockets, no waiting. */
class PaceTest {

    @Test
    void aMessageHasTheDataTimeoutPlusItsSizeAtTheMinimumRate() {
        SmtpInput.Pace pace = new SmtpInput.Pace(Duration.ofSeconds(10), 500, 1_000);
        assertThat(pace.remaining(1_000)).isEqualTo(Duration.ofSeconds(10).toNanos());

        pace.count(1_000); // two more seconds at 500 octets per second
        assertThat(pace.remaining(1_000)).isEqualTo(Duration.ofSeconds(12).toNanos());
        assertThat(pace.remaining(1_000 + Duration.ofSeconds(12).toNanos())).isZero();
        assertThat(pace.remaining(1_000 + Duration.ofSeconds(13).toNanos())).isNegative();
    }

    @Test
    void aRateOfZeroLeavesOnlyThePerReadTimeout() {
        SmtpInput.Pace pace = new SmtpInput.Pace(Duration.ofSeconds(10), 0, 0);
        assertThat(pace.remaining(Duration.ofDays(365).toNanos())).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aHugeChunkDoesNotOverflowIntoTheFuture() {
        SmtpInput.Pace pace = new SmtpInput.Pace(Duration.ofSeconds(10), 1, 0);
        pace.count(Long.MAX_VALUE / 2);
        assertThat(pace.remaining(0)).isEqualTo(Long.MAX_VALUE);
    }
}
