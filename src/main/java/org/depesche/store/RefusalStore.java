package org.depesche.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.depesche.mail.MailAddress;

/**
 * What the refusal digest has not yet told the owner of each secure address
 * (THREATS T2b), kept so that a restart neither loses pending refusals nor
 * sends a digest early. Whole states per account are saved and loaded; the
 * digest's rules (what is listed, when one is due) live with its caller.
 * Refusal notices are best effort: an implementation logs a failure to read
 * or write and never throws it, since an SMTP session must not fail over a
 * note about another session. Implementation: {@link FileRefusalStore}.
 */
public interface RefusalStore {

    /** One refused RCPT: when, the envelope sender, the secure address, the peer's IP and HELO name, and why. */
    record Refusal(Instant at, String sender, String recipient, String peer, String helo, String reason) {
    }

    /**
     * An account's refusals not yet sent, how many more there were past those
     * listed, and when its last digest went out (empty before the first).
     */
    record Pending(List<Refusal> refusals, int notListed, Optional<Instant> lastSent) {
        public Pending {
            refusals = List.copyOf(refusals);
        }
    }

    /** Every account's saved state, at most {@code max} accounts; what cannot be read is logged and left out. */
    Map<MailAddress, Pending> load(int max);

    /** Replaces what is kept for {@code account}. */
    void save(MailAddress account, Pending pending);

    /** Forgets {@code account}; nothing happens if nothing was kept. */
    void delete(MailAddress account);
}
