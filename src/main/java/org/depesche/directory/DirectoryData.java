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
@JsonPropertyOrder({"version", "domains", "accounts", "aliases"})
@JsonInclude(JsonInclude.Include.NON_NULL)
record DirectoryData(Integer version, List<String> domains, List<AccountEntry> accounts, Map<String, List<String>> aliases) {
    static final int VERSION = 1;

    DirectoryData {
        version = version == null ? VERSION : version;
        domains = domains == null ? List.of() : List.copyOf(domains);
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        aliases = aliases == null ? Map.of() : copy(aliases);
    }

    static DirectoryData empty() {
        return new DirectoryData(VERSION, null, null, null);
    }

    /** One account: the address is the login; {@code password} is a PHC Argon2id string. */
    @JsonPropertyOrder({"address", "password", "enabled"})
    record AccountEntry(String address, String password, Boolean enabled) {
        AccountEntry {
            enabled = enabled == null || enabled;
        }
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> aliases) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        aliases.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    DirectoryData withDomains(List<String> d) {
        return new DirectoryData(version, d, accounts, aliases);
    }

    DirectoryData withAccounts(List<AccountEntry> a) {
        return new DirectoryData(version, domains, a, aliases);
    }

    DirectoryData withAliases(Map<String, List<String>> a) {
        return new DirectoryData(version, domains, accounts, a);
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
