package org.depesche.directory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.depesche.config.Config;
import org.depesche.directory.Directory.Strictness;
import org.depesche.mail.MailAddress;

/**
 * Secure alias domains, secure addresses and secure accounts set in
 * depesche.toml ({@code [secure]}). Every directory lays them over its
 * stored content ({@link DirectorySnapshot}) and never writes them there,
 * so the CLI can show them but not remove them. Keys are in the form the
 * directory stores ({@link DirectoryKeys}): domains by their key, addresses
 * with the local part folded.
 *
 * @param aliasToDomain secure alias domain to the local domain it stands for
 * @param addresses     secure addresses and their strictness
 * @param accounts      account addresses and their switches
 */
public record SecureSettings(Map<String, String> aliasToDomain, Map<String, Strictness> addresses,
                             Map<String, Switches> accounts) {
    public static final SecureSettings NONE = new SecureSettings(Map.of(), Map.of(), Map.of());

    /** Where the CLI points an administrator who wants to change an entry. */
    public static final String FILE = "depesche.toml";

    public SecureSettings {
        aliasToDomain = Collections.unmodifiableMap(new LinkedHashMap<>(aliasToDomain));
        addresses = Collections.unmodifiableMap(new LinkedHashMap<>(addresses));
        accounts = Collections.unmodifiableMap(new LinkedHashMap<>(accounts));
    }

    /** The account switches "receive only over TLS" and "send only over authenticated TLS". */
    public record Switches(boolean receiveTlsOnly, boolean sendAuthenticatedOnly) {
    }

    /** The [secure] section, already checked by the config loader. */
    public static SecureSettings from(Config.Secure secure) {
        Map<String, String> domains = new LinkedHashMap<>();
        for (Config.SecureDomain d : secure.domain()) domains.put(DirectoryKeys.domainKey(d.alias()), DirectoryKeys.domainKey(d.domain()));
        Map<String, Strictness> addresses = new LinkedHashMap<>();
        for (Config.SecureAddress a : secure.address()) addresses.put(DirectoryKeys.key(MailAddress.parse(a.address().strip())), Strictness.parse(a.strictness()));
        Map<String, Switches> accounts = new LinkedHashMap<>();
        for (Config.SecureAccount a : secure.account())
            accounts.put(DirectoryKeys.key(MailAddress.parse(a.address().strip())), new Switches(a.receiveTlsOnly(), a.sendAuthenticatedOnly()));
        return new SecureSettings(domains, addresses, accounts);
    }

    /** The table in depesche.toml that makes {@code key} (a normalised address) secure, if any. */
    Optional<String> tableFor(String key) {
        if (addresses.containsKey(key)) return Optional.of("[[secure.address]]");
        if (accounts.containsKey(key)) return Optional.of("[[secure.account]]");
        return Optional.empty();
    }

    /**
     * What a secure alias domain, or an account that receives only over
     * TLS, asks of mail when no marked address names a strictness. This and
     * {@link #stricter} are all the directory knows of how strictnesses
     * compare.
     */
    static final Strictness IMPLIED = Strictness.VERIFY;

    /** VERIFY is stricter than ENCRYPT: where depesche.toml and the stored content both name an address, the stricter counts. */
    static Strictness stricter(Strictness a, Strictness b) {
        if (a == null) return b;
        if (b == null) return a;
        return a == Strictness.VERIFY || b == Strictness.VERIFY ? Strictness.VERIFY : Strictness.ENCRYPT;
    }
}
