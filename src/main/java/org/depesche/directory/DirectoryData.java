package org.depesche.directory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The content of directory.json. Addresses are stored normalised (local
 * part and domain in lower case); accounts keep their creation order, which
 * the postmaster fallback relies on.
 */
@JsonPropertyOrder({"version", "domains", "secureDomains", "accounts", "aliases", "secureAddresses"})
@JsonInclude(JsonInclude.Include.NON_NULL)
record DirectoryData(Integer version, List<String> domains,
                     @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> secureDomains,
                     List<AccountEntry> accounts, Map<String, List<String>> aliases,
                     @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> secureAddresses) {
    static final int VERSION = 1;

    DirectoryData {
        version = version == null ? VERSION : version;
        domains = domains == null ? List.of() : List.copyOf(domains);
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        aliases = aliases == null ? Map.of() : copy(aliases);
        // Files written before secure addresses existed lack these two: they load as empty.
        secureDomains = secureDomains == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(secureDomains));
        secureAddresses = secureAddresses == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(secureAddresses));
    }

    static DirectoryData empty() {
        return new DirectoryData(VERSION, null, null, null, null, null);
    }

    /**
     * One account: the address is the login; {@code password} is a PHC Argon2id string.
     * The two switches are stored only when on (null otherwise), so older files stay as they were.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"address", "password", "enabled", "receiveTlsOnly", "sendAuthenticatedOnly"})
    record AccountEntry(String address, String password, Boolean enabled, Boolean receiveTlsOnly, Boolean sendAuthenticatedOnly) {
        AccountEntry {
            enabled = enabled == null || enabled;
            receiveTlsOnly = Boolean.TRUE.equals(receiveTlsOnly) ? Boolean.TRUE : null;
            sendAuthenticatedOnly = Boolean.TRUE.equals(sendAuthenticatedOnly) ? Boolean.TRUE : null;
        }

        boolean receivesOnlyOverTls() {
            return receiveTlsOnly != null;
        }

        boolean sendsOnlyAuthenticated() {
            return sendAuthenticatedOnly != null;
        }

        AccountEntry withPassword(String hash) {
            return new AccountEntry(address, hash, enabled, receiveTlsOnly, sendAuthenticatedOnly);
        }

        AccountEntry withSwitches(boolean receive, boolean send) {
            return new AccountEntry(address, password, enabled, receive, send);
        }
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> aliases) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        aliases.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    DirectoryData withDomains(List<String> d) {
        return new DirectoryData(version, d, secureDomains, accounts, aliases, secureAddresses);
    }

    DirectoryData withSecureDomains(Map<String, String> d) {
        return new DirectoryData(version, domains, d, accounts, aliases, secureAddresses);
    }

    DirectoryData withAccounts(List<AccountEntry> a) {
        return new DirectoryData(version, domains, secureDomains, a, aliases, secureAddresses);
    }

    DirectoryData withAliases(Map<String, List<String>> a) {
        return new DirectoryData(version, domains, secureDomains, accounts, a, secureAddresses);
    }

    DirectoryData withSecureAddresses(Map<String, String> a) {
        return new DirectoryData(version, domains, secureDomains, accounts, aliases, a);
    }

    List<String> mutableDomains() {
        return new ArrayList<>(domains);
    }

    List<AccountEntry> mutableAccounts() {
        return new ArrayList<>(accounts);
    }

    Map<String, List<String>> mutableAliases() {
        return new LinkedHashMap<>(aliases);
    }
}
