package org.depesche.smtp.client;

import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.depesche.dane.TlsaRecord;
import org.depesche.transport.Strength;

/**
 * What a connection must achieve before any part of the message is sent.
 * Everything except {@link None} and {@link Opportunistic} makes STARTTLS
 * mandatory (THREATS T2) and everything after {@link Encrypted} also
 * authenticates the server (T1).
 */
public sealed interface TlsRequirement {

    /** True if the connection must not go on without TLS. */
    default boolean tlsMandatory() {
        return !(this instanceof None || this instanceof Opportunistic);
    }

    /**
     * The least a connection under this requirement has, whatever the server
     * does: opportunistic TLS promises nothing. {@code pkix}: what a PKIX
     * authentication is worth for this host (see {@link TlsOutcome#strength}).
     */
    default Strength promised(Strength pkix) {
        return switch (this) {
            case None n -> Strength.PLAINTEXT;
            case Opportunistic o -> Strength.PLAINTEXT;
            case Encrypted e -> Strength.ENCRYPTED;
            case Dane d -> d.hasUsableRecords() ? Strength.DANE_VERIFIED : Strength.ENCRYPTED;
            case Pkix p -> pkix;
            case Pinned p -> Strength.VERIFIED;
        };
    }

    /** Policy "none": never STARTTLS. */
    record None() implements TlsRequirement {
    }

    /**
     * Policy "may" (RFC 7435): STARTTLS if offered, unauthenticated; plaintext
     * if not offered or refused. {@code pkixAudit}: names to check the
     * certificate against with PKIX without enforcing it (MTA-STS testing
     * mode, RFC 8461 5.2); empty for none.
     */
    record Opportunistic(Set<String> pkixAudit) implements TlsRequirement {
        public Opportunistic {
            pkixAudit = audit(pkixAudit);
        }

        public Opportunistic() {
            this(Set.of());
        }
    }

    /**
     * Policy "encrypt", and DANE when every TLSA record is unusable (RFC 7672
     * 2.2). {@code pkixAudit} as for {@link Opportunistic}.
     */
    record Encrypted(Set<String> pkixAudit) implements TlsRequirement {
        public Encrypted {
            pkixAudit = audit(pkixAudit);
        }

        public Encrypted() {
            this(Set.of());
        }
    }

    /** The names a PKIX check is made for without enforcing it; empty for none. */
    default Set<String> pkixAudit() {
        return Set.of();
    }

    /**
     * RFC 7672 3: the chain must match a usable TLSA record of a secure
     * RRset. {@code referenceNames}: the TLSA base domain first (the MX
     * host name, or its CNAME expansion when the TLSA records are there;
     * sent as SNI, RFC 7672 8.1), then the other names of RFC 7672 3.2.2;
     * used for DANE-TA name checks.
     */
    record Dane(List<TlsaRecord> records, Set<String> referenceNames) implements TlsRequirement {
        public Dane {
            records = List.copyOf(records);
            referenceNames = names(referenceNames);
        }

        /**
         * False if every record is unusable for SMTP (RFC 7672 3.1.3); the
         * policy then asks for {@link Encrypted}. Given such a Dane anyway,
         * the client behaves as Encrypted and reports authentication NONE.
         */
        public boolean hasUsableRecords() {
            return records.stream().anyMatch(TlsaRecord::isUsableForSmtp);
        }
    }

    /** Policy "verify": a PKIX chain to the trust store and an RFC 6125 name match. */
    record Pkix(Set<String> referenceNames) implements TlsRequirement {
        public Pkix {
            referenceNames = names(referenceNames);
        }
    }

    /** Static policy pins: SHA-256 of the leaf certificate or of its SPKI, hex, colons allowed. */
    record Pinned(Set<String> sha256Fingerprints) implements TlsRequirement {
        public Pinned {
            Set<String> normalized = new LinkedHashSet<>();
            for (String f : sha256Fingerprints) {
                String hex = f.replace(":", "").trim().toLowerCase(Locale.ROOT);
                if (hex.length() != 64) throw new IllegalArgumentException("not a SHA-256 fingerprint: " + f);
                HexFormat.of().parseHex(hex);
                normalized.add(hex);
            }
            if (normalized.isEmpty()) throw new IllegalArgumentException("no fingerprint to pin");
            sha256Fingerprints = java.util.Collections.unmodifiableSet(normalized);
        }
    }

    private static Set<String> audit(Set<String> names) {
        return names == null || names.isEmpty() ? Set.of() : names(names);
    }

    private static Set<String> names(Set<String> names) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : names) {
            String name = n.toLowerCase(Locale.ROOT);
            out.add(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no reference name");
        return java.util.Collections.unmodifiableSet(out);
    }
}
