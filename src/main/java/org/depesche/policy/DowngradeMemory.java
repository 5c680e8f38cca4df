package org.depesche.policy;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * The best protection seen on a successful delivery, per destination domain
 * (THREATS T10, RFC 7672 6: an active attacker must not be able to strip a
 * protection a domain has shown). A domain is one entry however it is
 * spelled (its {@link org.depesche.mail.DomainName} key); a name that is no
 * domain is an {@link org.depesche.mail.InvalidDomainException}. An entry
 * only ever rises; {@link #reset} (the operator's `depesche policy reset`)
 * removes it. The server and the CLI may use one memory at once, so what is
 * written is what the next {@link #get} sees, in this process or another.
 * Implementation: {@link FileDowngradeMemory}.
 */
public interface DowngradeMemory {

    /** What is remembered for one domain (its key): the protection, the MX that gave it and when. */
    record Entry(String domain, Protection protection, String mx, Instant at) {
    }

    Optional<Entry> get(String domain) throws IOException;

    /**
     * Records a successful delivery, durably before returning; keeps the
     * entry if it already holds at least this protection, and returns whether
     * it changed. Two deliveries to one domain at once cannot lower it.
     */
    boolean remember(String domain, Protection protection, String mx, Instant at) throws IOException;

    /** Forgets a domain; false if nothing was remembered. */
    boolean reset(String domain) throws IOException;
}
