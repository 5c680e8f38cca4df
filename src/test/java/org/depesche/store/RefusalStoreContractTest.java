package org.depesche.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.depesche.mail.MailAddress;
import org.depesche.store.RefusalStore.Pending;
import org.depesche.store.RefusalStore.Refusal;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RefusalStore} must do, read back through the interface
 * alone. One subclass per implementation.
 */
abstract class RefusalStoreContractTest {
    static final MailAddress ALICE = MailAddress.parse("alice@example.org");
    static final MailAddress BOB = MailAddress.parse("bob@example.org");
    static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    /** A store over fresh, empty storage. */
    abstract RefusalStore newStore() throws Exception;

    /** Another store over the storage of the last {@link #newStore}, as the next run of the server opens it. */
    abstract RefusalStore reopened() throws Exception;

    static Refusal refusal(String sender) {
        return new Refusal(AT, sender, "alice@secure.example.org", "192.0.2.7", "relay.remote.test",
                "it did not use STARTTLS (no encryption)");
    }

    @Test
    void aNewStoreHoldsNothing() throws Exception {
        assertThat(newStore().load(10)).isEmpty();
    }

    @Test
    void whatWasSavedIsLoadedByTheNextRunAccountByAccount() throws Exception {
        RefusalStore store = newStore();
        Pending alice = new Pending(List.of(refusal("carol@remote.test"), refusal("dave@remote.test")), 3,
                Optional.of(AT.plusSeconds(60)));
        Pending bob = new Pending(List.of(refusal("erin@remote.test")), 0, Optional.empty());
        store.save(ALICE, alice);
        store.save(BOB, bob);
        assertThat(reopened().load(10)).isEqualTo(Map.of(ALICE, alice, BOB, bob));
    }

    @Test
    void aSaveReplacesWhatWasKeptForTheAccount() throws Exception {
        RefusalStore store = newStore();
        store.save(ALICE, new Pending(List.of(refusal("carol@remote.test")), 0, Optional.empty()));
        Pending after = new Pending(List.of(), 0, Optional.of(AT));
        store.save(ALICE, after);
        assertThat(reopened().load(10)).isEqualTo(Map.of(ALICE, after));
    }

    @Test
    void deleteForgetsOnlyThatAccountAndDeletingWhatIsNotKeptIsHarmless() throws Exception {
        RefusalStore store = newStore();
        Pending bob = new Pending(List.of(refusal("erin@remote.test")), 0, Optional.empty());
        store.save(ALICE, new Pending(List.of(refusal("carol@remote.test")), 0, Optional.empty()));
        store.save(BOB, bob);
        store.delete(ALICE);
        store.delete(ALICE);
        store.delete(MailAddress.parse("nobody@example.org"));
        assertThat(reopened().load(10)).isEqualTo(Map.of(BOB, bob));
    }

    @Test
    void loadReturnsAtMostTheAccountsAskedFor() throws Exception {
        RefusalStore store = newStore();
        for (int i = 0; i < 5; i++) {
            store.save(MailAddress.parse("user" + i + "@example.org"), new Pending(List.of(refusal("s@remote.test")), 0,
                    Optional.empty()));
        }
        assertThat(reopened().load(3)).hasSize(3);
    }

    @Test
    void anInternationalAddressAndTextOutsideAsciiComeBackUnchanged() throws Exception {
        MailAddress jorg = MailAddress.parse("j\u00f6rg@b\u00fccher.example");
        Pending pending = new Pending(List.of(new Refusal(AT, "\u00e9lodie@remote.test", "j\u00f6rg@b\u00fccher.example",
                "2001:db8::7", "relais.\u00e9xample", "it did not use STARTTLS (no encryption)")), 0, Optional.empty());
        newStore().save(jorg, pending);
        assertThat(reopened().load(10)).isEqualTo(Map.of(jorg, pending));
    }
}
