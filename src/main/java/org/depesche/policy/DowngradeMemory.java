package org.depesche.policy;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import org.depesche.transport.Strength;

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

    /**
     * What is remembered for one domain (its key): the protection, the MX
     * that gave it and when. The memory does not tell PKIX reasons apart: an
     * {@link Strength#MTA_STS_VERIFIED} delivery is remembered as
     * {@link Strength#VERIFIED}, so that a domain that drops its MTA-STS
     * policy still gets PKIX, as before the scale had MTA-STS on it.
     */
    record Entry(String domain, Strength protection, String mx, Instant at) {
        public Entry {
            protection = remembered(protection);
        }

        /** "none", "tls", "verified", "dane": the name the file holds and `policy show` prints. */
        public String label() {
            return DowngradeMemory.label(protection);
        }
    }

    Optional<Entry> get(String domain) throws IOException;

    /**
     * Records a successful delivery, durably before returning; keeps the
     * entry if it already holds at least this protection (as
     * {@link #remembered}), and returns whether it changed. Two deliveries to
     * one domain at once cannot lower it.
     */
    boolean remember(String domain, Strength protection, String mx, Instant at) throws IOException;

    /** Forgets a domain; false if nothing was remembered. */
    boolean reset(String domain) throws IOException;

    /** The strength the memory keeps for a delivery made at {@code s}: MTA-STS as plain PKIX. */
    static Strength remembered(Strength s) {
        return s == Strength.MTA_STS_VERIFIED ? Strength.VERIFIED : s;
    }

    /** The stored name of a protection: the names the files have held since the first release. */
    static String label(Strength s) {
        return switch (remembered(s)) {
            case PLAINTEXT -> "none";
            case ENCRYPTED -> "tls";
            case DANE_VERIFIED -> "dane";
            default -> "verified";
        };
    }

    /** The protection a stored name ({@link #label}) stands for, in any case. */
    static Strength named(String label) {
        return switch (label.toLowerCase(Locale.ROOT)) {
            case "none" -> Strength.PLAINTEXT;
            case "tls" -> Strength.ENCRYPTED;
            case "verified" -> Strength.VERIFIED;
            case "dane" -> Strength.DANE_VERIFIED;
            default -> throw new IllegalArgumentException("not a remembered protection: " + label);
        };
    }
}
