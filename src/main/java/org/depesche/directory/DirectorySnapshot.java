package org.depesche.directory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.depesche.directory.DirectoryData.AccountEntry;
import org.depesche.directory.Directory.Strictness;

/**
 * One version of a directory's content, indexed by key and with the
 * [secure] entries of depesche.toml laid over it: what {@link RoutingRules}
 * answers from. Any backend builds it from the {@link DirectoryData} it
 * stores, so every backend answers alike.
 *
 * @param domains      the local domains, in the order they were added (the first one's postmaster is the fallback)
 * @param accounts     accounts by key, in creation order (the first one is the last postmaster fallback)
 * @param aliases      aliases by key, each with its targets' keys
 * @param secureToBase secure alias domain to the local domain it stands for
 * @param secure       secure addresses (keyed in their local domain) and their strictness
 */
record DirectorySnapshot(Set<String> domains, Map<String, AccountEntry> accounts, Map<String, List<String>> aliases,
                         Map<String, String> secureToBase, Map<String, Strictness> secure) {

    DirectorySnapshot {
        domains = Collections.unmodifiableSet(new LinkedHashSet<>(domains));
        accounts = Collections.unmodifiableMap(new LinkedHashMap<>(accounts));
        aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
        secureToBase = Collections.unmodifiableMap(new LinkedHashMap<>(secureToBase));
        secure = Collections.unmodifiableMap(new LinkedHashMap<>(secure));
    }

    /**
     * The stored content with the configured entries laid over it (THREATS
     * T2b: either source makes an address secure, the stricter strictness
     * wins). {@code source} names the stored content in errors; a configured
     * alias domain that contradicts it (a local domain there) is one.
     */
    static DirectorySnapshot of(DirectoryData data, SecureSettings configured, String source) throws DirectoryException {
        DirectorySnapshot s = of(data, source);
        if (configured.equals(SecureSettings.NONE)) return s;
        Map<String, String> secureToBase = new LinkedHashMap<>(s.secureToBase);
        for (var e : configured.aliasToDomain().entrySet()) {
            String before = secureToBase.put(e.getKey(), e.getValue());
            if (s.domains.contains(e.getKey()) || before != null && !before.equals(e.getValue()))
                throw new DirectoryException(SecureSettings.FILE + ": [[secure.domain]] alias " + e.getKey() + " is "
                        + (before == null ? "a local domain" : "the secure alias domain of " + before) + " in " + source
                        + "; a secure alias domain must be a name of its own");
        }
        Map<String, Strictness> secure = new LinkedHashMap<>(s.secure);
        configured.addresses().forEach((k, st) -> secure.merge(inBaseDomain(k, secureToBase), st, SecureSettings::stricter));
        Map<String, AccountEntry> accounts = new LinkedHashMap<>(s.accounts);
        configured.accounts().forEach((k, sw) -> accounts.computeIfPresent(inBaseDomain(k, secureToBase), (key, a) -> a.withSwitches(
                a.receivesOnlyOverTls() || sw.receiveTlsOnly(), a.sendsOnlyAuthenticated() || sw.sendAuthenticatedOnly())));
        return new DirectorySnapshot(s.domains, accounts, s.aliases, secureToBase, secure);
    }

    /** alice@secure.example.org as alice@example.org: the directory keys addresses by their local domain. */
    private static String inBaseDomain(String key, Map<String, String> secureToBase) {
        String domain = DirectoryKeys.domainOf(key);
        return key.substring(0, key.length() - domain.length()) + secureToBase.getOrDefault(domain, domain);
    }

    /** The stored content alone, every name by its key, so that every spelling in it and at RCPT is one. */
    private static DirectorySnapshot of(DirectoryData d, String source) throws DirectoryException {
        Set<String> domains = new LinkedHashSet<>();
        for (String domain : d.domains()) domains.add(DirectoryKeys.storedDomain(domain, source));
        Map<String, AccountEntry> accounts = new LinkedHashMap<>();
        for (AccountEntry a : d.accounts()) {
            String k = DirectoryKeys.storedAddress(a.address(), source);
            accounts.put(k, new AccountEntry(k, a.password(), a.enabled(), a.receiveTlsOnly(), a.sendAuthenticatedOnly()));
        }
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        for (var e : d.aliases().entrySet()) {
            List<String> targets = new ArrayList<>();
            for (String t : e.getValue()) targets.add(DirectoryKeys.storedAddress(t, source));
            aliases.put(DirectoryKeys.storedAddress(e.getKey(), source), List.copyOf(targets));
        }
        Map<String, String> secureToBase = new LinkedHashMap<>();
        for (var e : d.secureDomains().entrySet())
            secureToBase.put(DirectoryKeys.storedDomain(e.getValue(), source), DirectoryKeys.storedDomain(e.getKey(), source));
        Map<String, Strictness> secure = new LinkedHashMap<>();
        for (var e : d.secureAddresses().entrySet()) {
            Strictness st = Strictness.parse(e.getValue());
            if (st == null)
                throw new DirectoryException(source + ": strictness of " + e.getKey() + " must be encrypt or verify, not \"" + e.getValue() + "\"");
            secure.put(DirectoryKeys.storedAddress(e.getKey(), source), st);
        }
        return new DirectorySnapshot(domains, accounts, aliases, secureToBase, secure);
    }

    /** Its sizes, for a log line. */
    String summary() {
        return "domains=" + domains.size() + " accounts=" + accounts.size() + " aliases=" + aliases.size();
    }
}
