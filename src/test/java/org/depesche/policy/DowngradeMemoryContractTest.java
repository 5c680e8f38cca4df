package org.depesche.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.depesche.mail.InvalidDomainException;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DowngradeMemory} must do (THREATS T10), read back through
 * the interface alone. One subclass per implementation.
 */
abstract class DowngradeMemoryContractTest {
    static final String MX = "mx.example.org";
    static final Instant AT = Instant.parse("2026-11-01T10:00:00Z");

    /** A memory over fresh, empty storage. */
    abstract DowngradeMemory newMemory() throws Exception;

    /** Another memory over the storage of the last {@link #newMemory}: the CLI's, or the next run's. */
    abstract DowngradeMemory reopened() throws Exception;

    @Test
    void nothingIsRememberedOfADomainNeverDeliveredTo() throws Exception {
        assertThat(newMemory().get("example.org")).isEmpty();
    }

    @Test
    void aDeliveryIsRememberedWithItsProtectionMxAndTimeUnderTheDomainsKey() throws Exception {
        assertThat(newMemory().remember("Example.ORG.", Strength.VERIFIED, MX, AT)).isTrue();
        assertThat(reopened().get("example.org")).contains(new DowngradeMemory.Entry("example.org", Strength.VERIFIED, MX, AT));
    }

    @Test
    void theMemoryOnlyRisesAndResetForgetsIt() throws Exception {
        DowngradeMemory m = newMemory();
        assertThat(m.remember("Example.ORG", Strength.DANE_VERIFIED, MX, Instant.EPOCH)).isTrue();
        assertThat(m.remember("example.org", Strength.ENCRYPTED, MX, Instant.EPOCH)).isFalse();
        assertThat(m.remember("example.org", Strength.DANE_VERIFIED, "mx2.example.org", AT)).isFalse();
        assertThat(m.get("example.org")).get().extracting(DowngradeMemory.Entry::protection).isEqualTo(Strength.DANE_VERIFIED);
        assertThat(reopened().get("example.org.")).get().extracting(DowngradeMemory.Entry::mx).isEqualTo(MX);
        assertThat(m.reset("example.org")).isTrue();
        assertThat(m.get("example.org")).isEmpty();
        assertThat(m.reset("example.org")).isFalse();
    }

    /** The memory does not tell PKIX reasons apart: a domain that drops MTA-STS still gets PKIX. */
    @Test
    void anMtaStsVerifiedDeliveryIsRememberedAsVerified() throws Exception {
        DowngradeMemory m = newMemory();
        m.remember("example.org", Strength.ENCRYPTED, MX, Instant.EPOCH);
        assertThat(m.remember("example.org", Strength.MTA_STS_VERIFIED, MX, AT)).isTrue();
        assertThat(reopened().get("example.org")).get().satisfies(e -> {
            assertThat(e.protection()).isEqualTo(Strength.VERIFIED);
            assertThat(e.label()).isEqualTo("verified");
        });
        assertThat(m.remember("example.org", Strength.VERIFIED, MX, AT)).isFalse();
        assertThat(m.remember("example.org", Strength.MTA_STS_VERIFIED, MX, AT)).isFalse();
    }

    @Test
    void aStrongerProtectionReplacesAWeakerOne() throws Exception {
        DowngradeMemory m = newMemory();
        m.remember("example.org", Strength.ENCRYPTED, MX, Instant.EPOCH);
        assertThat(m.remember("example.org", Strength.DANE_VERIFIED, "mx2.example.org", AT)).isTrue();
        assertThat(m.get("example.org")).contains(new DowngradeMemory.Entry("example.org", Strength.DANE_VERIFIED, "mx2.example.org", AT));
    }

    /** THREATS T10 must not be bypassed by writing a domain another way. */
    @Test
    void everySpellingOfADomainIsOneEntry() throws Exception {
        DowngradeMemory m = newMemory();
        m.remember("b\u00fccher.example", Strength.DANE_VERIFIED, MX, AT);
        assertThat(m.get("XN--BCHER-KVA.example.")).get().extracting(DowngradeMemory.Entry::domain).isEqualTo("xn--bcher-kva.example");
        assertThat(m.get("B\u00dcCHER.example")).isPresent();
        assertThat(m.reset("xn--bcher-kva.example")).isTrue();
        assertThat(m.get("b\u00fccher.example")).isEmpty();
    }

    @Test
    void aDomainsEntryIsItsOwn() throws Exception {
        DowngradeMemory m = newMemory();
        m.remember("example.org", Strength.DANE_VERIFIED, MX, AT);
        assertThat(m.get("example.com")).isEmpty();
        assertThat(m.get("sub.example.org")).isEmpty();
        assertThat(m.reset("example.com")).isFalse();
        assertThat(m.get("example.org")).isPresent();
    }

    @Test
    void aNameThatIsNoDomainIsRefusedAndNeverStored() throws Exception {
        DowngradeMemory m = newMemory();
        for (String hostile : List.of("../../etc/passwd", "exa!mple.org", "")) {
            assertThatThrownBy(() -> m.get(hostile)).as(hostile).isInstanceOf(InvalidDomainException.class);
            assertThatThrownBy(() -> m.remember(hostile, Strength.DANE_VERIFIED, MX, AT)).as(hostile)
                    .isInstanceOf(InvalidDomainException.class);
            assertThatThrownBy(() -> m.reset(hostile)).as(hostile).isInstanceOf(InvalidDomainException.class);
        }
    }

    @Test
    void aResetByTheCliIsSeenByTheRunningServer() throws Exception {
        DowngradeMemory server = newMemory();
        server.remember("example.org", Strength.DANE_VERIFIED, MX, AT);
        assertThat(reopened().reset("example.org")).isTrue();
        assertThat(server.get("example.org")).isEmpty();
        assertThat(server.remember("example.org", Strength.ENCRYPTED, MX, AT)).isTrue();
    }

    @Test
    void deliveriesAtOnceToOneDomainLeaveTheStrongestProtection() throws Exception {
        DowngradeMemory m = newMemory();
        Strength[] order = {Strength.DANE_VERIFIED, Strength.PLAINTEXT, Strength.ENCRYPTED, Strength.VERIFIED,
                Strength.MTA_STS_VERIFIED};
        CountDownLatch start = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Strength p = order[i % order.length];
                done.add(threads.submit(() -> {
                    start.await();
                    return m.remember("example.org", p, MX, AT);
                }));
            }
            start.countDown();
            for (Future<Boolean> f : done) f.get();
        }
        assertThat(m.get("example.org")).get().extracting(DowngradeMemory.Entry::protection).isEqualTo(Strength.DANE_VERIFIED);
    }
}
