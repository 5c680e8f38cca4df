package org.depesche.directory;

import java.util.List;
import java.util.Optional;

import org.depesche.mail.MailAddress;

/**
 * Domains, accounts and aliases: who is local, where an address delivers,
 * who may log in and which addresses they may send as. Read by the SMTP
 * server; the CLI writes through {@link DirectoryAdmin}. Every backend
 * ({@link FileDirectory}) is a {@link StoredDirectory}, whose answers are
 * {@code RoutingRules}'.
 */
public interface Directory {

    boolean isLocalDomain(String domain);

    /**
     * Resolves a recipient address to the accounts it delivers to: an
     * account address, an alias (possibly several targets), plus-addressing
     * ({@code user+tag@}, RFC 5233 style) and postmaster@ of every local
     * domain (RFC 5321 4.5.1). Empty if nothing local answers to it.
     */
    List<MailAddress> resolve(MailAddress address);

    /**
     * The address that the bare "&lt;Postmaster&gt;" recipient stands for: it
     * names no domain and must be accepted (RFC 5321 4.1.1.3, 4.5.1), so it
     * is postmaster@ of the first local domain, which {@link #resolve} and
     * {@link #requiredTls} answer like any other address. Empty if no
     * domain is local.
     */
    default Optional<MailAddress> postmasterAddress() {
        return Optional.empty();
    }

    /** Checks a login (the account address) and password; empty on failure. */
    Optional<Account> authenticate(String login, char[] password);

    /** True if the account may use this address as sender: its own, its aliases, and their +tag forms. */
    boolean mayUseAddress(Account account, MailAddress address);

    /**
     * Whether mail to this recipient must arrive over TLS, and how strictly
     * its owner wants their mail protected: empty for an ordinary address.
     * An address requires TLS when it is in a secure alias domain, is marked
     * secure itself (also as {@code user+tag@}), or delivers to an account
     * that receives only over TLS (THREATS T2b).
     */
    default Optional<Strictness> requiredTls(MailAddress address) {
        return Optional.empty();
    }

    /**
     * How strictly mail sent from this address must travel (issue 4,
     * decision 2): empty unless the address is in a secure alias domain or
     * is marked secure itself (also as {@code user+tag@}). Unlike
     * {@link #requiredTls}, an account that only receives over TLS does not
     * count: that switch is about mail to it, not from it.
     */
    default Optional<Strictness> secureSender(MailAddress address) {
        return Optional.empty();
    }

    /** True if the account's switch "send only over authenticated TLS" is on. */
    default boolean sendsOnlyAuthenticated(Account account) {
        return false;
    }

    /**
     * How strictly a secure address wants its mail protected where Depesche
     * sends it on: {@code ENCRYPT} accepts any TLS, {@code VERIFY} (the
     * default) also an authenticated peer. Inbound, both mean "never in plaintext".
     */
    enum Strictness {
        ENCRYPT, VERIFY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The floor on the transport {@link org.depesche.transport.Strength} scale that mail from such an address needs. */
        public org.depesche.transport.Strength floor() {
            return this == VERIFY ? org.depesche.transport.Strength.VERIFIED : org.depesche.transport.Strength.ENCRYPTED;
        }

        /** Parses "encrypt" or "verify" in any case; null for anything else. */
        public static Strictness parse(String s) {
            for (Strictness v : values()) if (v.label().equalsIgnoreCase(s == null ? "" : s.strip())) return v;
            return null;
        }
    }

    /** An account: its canonical address (the login) and whether it is enabled. */
    record Account(MailAddress address) {
    }
}
