package org.depesche.outbound;

import java.util.List;
import java.util.Locale;

import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

import org.depesche.transport.Strength;
import org.depesche.transport.TlsFailure;

/**
 * How mail to one domain would travel, as {@link Probe} found it before
 * anything is sent. The field names are the stable `--json` output of
 * `depesche probe` and what the dashboard reads; times are ISO-8601 UTC text,
 * absent facts are null.
 *
 * @param query     what was asked (an address or a domain)
 * @param domain    the destination domain, A-label form
 * @param demand    what the probed message demands: none, requiretls, authenticated (a secure sender) or encrypted
 * @param connected whether the MX hosts were connected to (false with --no-connect)
 * @param level     the overall level: the weakest among the MX hosts a delivery would use
 * @param summary   one sentence for a person
 * @param route     how the MX lookup went
 * @param policy    the static table entry or default level, and the downgrade memory
 * @param mtaSts    the MTA-STS findings; null when MTA-STS is not consulted (local domain, no route)
 * @param mx        one entry per MX host, in the order delivery tries them
 * @param notes     further remarks (an MX that would be skipped, a cached policy kept)
 */
public record ProbeReport(String query, String domain, String checkedAt, String demand, boolean connected, Level level, String summary,
                          Route route, Policy policy, MtaSts mtaSts, List<Mx> mx, List<String> notes) {

    public ProbeReport {
        mx = List.copyOf(mx);
        notes = List.copyOf(notes);
    }

    /**
     * What a user can be shown before sending (issue 4): a verdict without a
     * route (unknown, undeliverable, local) or, for mail that would go out,
     * a {@link Strength} of the transport scale, strongest last.
     */
    public enum Level {
        UNKNOWN("unknown"),
        UNDELIVERABLE("undeliverable"),
        LOCAL("stays on this server"),
        PLAINTEXT(Strength.PLAINTEXT),
        ENCRYPTED(Strength.ENCRYPTED),
        VERIFIED(Strength.VERIFIED),
        MTA_STS_VERIFIED(Strength.MTA_STS_VERIFIED),
        DANE_VERIFIED(Strength.DANE_VERIFIED);

        private final String words;
        private final Strength strength;

        Level(String words) {
            this.words = words;
            this.strength = null;
        }

        Level(Strength strength) {
            this.words = strength.words();
            this.strength = strength;
        }

        /** The level of mail that goes out at this strength. */
        public static Level of(Strength s) {
            for (Level l : values()) if (l.strength == s) return l;
            throw new IllegalArgumentException("no level for " + s);
        }

        /** "DANE-verified", "encrypted but unverified": for people. */
        public String words() {
            return words;
        }

        /** "dane-verified", "encrypted": for scripts. */
        @JsonValue
        public String label() {
            return strength != null ? strength.label() : name().toLowerCase(Locale.ROOT);
        }

        /** True for the levels at which a delivery goes ahead. */
        public boolean deliverable() {
            return strength != null;
        }
    }

    /**
     * @param kind    "mx", "implicit-mx" (RFC 5321 5.1), "null-mx" (RFC 7505), "no-route" or "local"
     * @param dnssec  DNSSEC status of the MX lookup: secure, insecure, bogus, indeterminate
     * @param problem why there is no route, or null
     */
    public record Route(String kind, String dnssec, String problem) {
    }

    /**
     * @param level      the TLS level from [[delivery.policy]] or default_tls_level
     * @param fromTable  true when a [[delivery.policy]] entry names the domain
     * @param pins       that entry's pins
     * @param remembered the downgrade memory's entry, or null
     */
    public record Policy(String level, boolean fromTable, List<String> pins, Remembered remembered) {
        public Policy {
            pins = List.copyOf(pins);
        }
    }

    /** The best protection a delivery to the domain had (THREATS T10), required again until reset. */
    public record Remembered(String protection, String mx, String at) {
    }

    /**
     * @param recordId  the id of the _mta-sts TXT record, null when there is none
     * @param mode      enforce, testing or none of the policy in force; null when none is
     * @param mxPatterns the policy's mx lines
     * @param maxAge    seconds
     * @param fetchedNow true when the policy was fetched during this probe (and cached)
     * @param fetchedAt when the policy in force was fetched
     * @param expires   when it expires from the cache
     * @param error     why no fresh policy could be had, or null
     */
    public record MtaSts(String recordId, String mode, List<String> mxPatterns, Long maxAge, boolean fetchedNow,
                         String fetchedAt, String expires, String error) {
        public MtaSts {
            mxPatterns = List.copyOf(mxPatterns);
        }
    }

    /**
     * One MX host.
     *
     * @param addressDnssec DNSSEC status of its AAAA and A lookups
     * @param tlsa          its TLSA findings, null when delivery would not look them up
     * @param requirement   what the policy engine asks of it: "none", "may", "encrypt", "dane", "pkix", "pinned";
     *                      "skip" when it would not be used now, "refuse" when never for this message's demand
     * @param level         what mail to this host gets (or would get, without connecting)
     * @param reason        why, in words
     * @param connections   one per address checked; empty without connecting
     */
    public record Mx(String host, int preference, boolean mxSecure, String addressDnssec, List<String> addresses,
                     Tlsa tlsa, String requirement, Level level, String reason, List<Connection> connections) {
        public Mx {
            addresses = List.copyOf(addresses);
            connections = List.copyOf(connections);
        }
    }

    /**
     * @param name    the owner name looked up, e.g. _25._tcp.mx.example.org
     * @param result  found, nodata, nxdomain or failed
     * @param dnssec  the DNSSEC status of the answer
     * @param records each record in presentation form with whether it is usable for SMTP (RFC 7672 3.1.3)
     */
    public record Tlsa(String name, String result, String dnssec, List<TlsaEntry> records) {
        public Tlsa {
            records = List.copyOf(records);
        }
    }

    public record TlsaEntry(String record, boolean usable) {
    }

    /**
     * One address of an MX host as connected to.
     *
     * @param tls             "TLSv1.3 TLS_AES_256_GCM_SHA384", or "none"
     * @param authentication  none, dane-ee, dane-ta, pkix, pinned
     * @param tlsFailure      why TLS failed or would not do, if it did; in the JSON as {@code failure}, its
     *                        {@link TlsFailure#label()} ("tlsa-invalid", "starttls-not-supported", ...), "" if none
     * @param requireTls      the server offers REQUIRETLS (RFC 8689) inside TLS
     * @param certificateNames the DNS names of the certificate presented; empty without TLS
     * @param pkixValid       whether that certificate is PKIX-valid for the MX name, null without TLS
     * @param level           what mail over this connection gets
     * @param message         what went wrong, "" if nothing
     */
    public record Connection(String ip, boolean starttlsOffered, String tls, String authentication,
                             @JsonIgnore Optional<TlsFailure> tlsFailure, boolean requireTls, List<String> certificateNames,
                             Boolean pkixValid, Level level, String message) {
        public Connection {
            certificateNames = List.copyOf(certificateNames);
        }

        /** The failure's label, "" if none: the {@code failure} field of `depesche probe --json`. */
        @JsonProperty("failure")
        public String failure() {
            return tlsFailure.map(TlsFailure::label).orElse("");
        }
    }
}
