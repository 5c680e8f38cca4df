package org.depesche.directory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A directory as its administrator sees it (the CLI): the listings and every
 * change, on top of what the server asks. Addresses and domains are taken
 * in any spelling and stored by their {@link DirectoryKeys} form; a change
 * that cannot be made is a {@link DirectoryException} with one line saying
 * why, and a read after a change sees it. The [secure] entries of
 * depesche.toml are laid over the stored content: they show in the
 * listings, but no change here can undo them.
 */
public interface DirectoryAdmin extends Directory {

    // ---- listings ----

    /** The local domains, the first one (whose postmaster@ answers for all) first. */
    List<String> domains();

    /** The accounts in creation order. */
    List<AccountInfo> accounts();

    /** Aliases sorted by address, each with its targets. */
    Map<String, List<String>> aliases();

    /** Local domains mapped to their secure alias domain in the stored content and depesche.toml. */
    Map<String, String> secureDomains();

    /** Local domains mapped to all their secure alias domains, from the stored content and depesche.toml. */
    Map<String, List<String>> secureAliasDomains();

    /** Addresses (accounts and aliases) marked secure, sorted, with their strictness; depesche.toml's stricter one wins. */
    Map<String, Strictness> secureAddresses();

    /** The [secure] entries of depesche.toml laid over the stored content. */
    SecureSettings configured();

    /** The depesche.toml table that makes {@code address} secure ("[[secure.address]]"), if any. */
    Optional<String> configuredTable(String address);

    /** Refuses to make {@code address} ordinary while a [secure] table of depesche.toml names it. */
    void requireNotConfigured(String address) throws DirectoryException;

    // ---- changes ----

    void addDomain(String domain) throws DirectoryException;

    /** Refused while accounts or aliases of the domain exist: deleting it would orphan their mail. */
    void removeDomain(String domain) throws DirectoryException;

    /**
     * Makes {@code secureDomain} the secure alias domain of the local
     * {@code domain}: every address there reaches the same account as in
     * {@code domain} but only over TLS. Replaces an earlier secure alias.
     */
    void setSecureDomain(String domain, String secureDomain) throws DirectoryException;

    /** Creates an account (enabled); its domain must already be local. */
    void addUser(String address, char[] password) throws DirectoryException;

    void setPassword(String address, char[] password) throws DirectoryException;

    /** Deletes the account and removes it from alias targets; aliases left without targets go too. */
    void removeUser(String address) throws DirectoryException;

    /** Creates the alias, or adds targets to an existing one. Targets must be accounts. */
    void addAlias(String alias, List<String> targets) throws DirectoryException;

    void removeAlias(String alias) throws DirectoryException;

    /**
     * Marks an account or alias address secure with the given strictness
     * (null: no longer secure). Marking names an existing account or alias
     * of a local domain, not a secure alias domain's address.
     */
    void setSecure(String address, Strictness strictness) throws DirectoryException;

    /** Sets the account's switches "receive only over TLS" and "send only over authenticated TLS". */
    void setAccountTls(String address, boolean receiveTlsOnly, boolean sendAuthenticatedOnly) throws DirectoryException;

    /** One account as listed; {@code secure} is empty unless its address is marked secure. */
    record AccountInfo(String address, boolean enabled, Optional<Strictness> secure, boolean receiveTlsOnly,
                       boolean sendAuthenticatedOnly) {
        public AccountInfo(String address, boolean enabled) {
            this(address, enabled, Optional.empty(), false, false);
        }
    }
}
