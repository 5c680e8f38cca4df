package org.depesche.directory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.Directory.Strictness;
import org.depesche.directory.DirectoryData.AccountEntry;

/**
 * One administrative change to a directory's stored content, the same for
 * every backend: the backend applies it to its current content atomically
 * (the file backend under its lock) and stores the result. Each factory
 * checks its arguments, and what depesche.toml fixes, before the backend is
 * touched; {@link #apply} checks what depends on the content. A refusal is
 * a {@link DirectoryException} with one line saying why.
 */
@FunctionalInterface
interface DirectoryChange {
    DirectoryData apply(DirectoryData current) throws DirectoryException;

    static DirectoryChange addDomain(String domain, SecureSettings configured) throws DirectoryException {
        String d = DirectoryKeys.domain(domain);
        if (configured.aliasToDomain().containsKey(d))
            throw new DirectoryException(d + " is the secure alias domain of " + configured.aliasToDomain().get(d) + " in " + SecureSettings.FILE);
        return data -> {
            if (data.domains().contains(d)) throw new DirectoryException("domain " + d + " already exists");
            if (data.secureDomains().containsValue(d)) throw new DirectoryException(d + " is already a secure alias domain");
            List<String> domains = data.mutableDomains();
            domains.add(d);
            return data.withDomains(domains);
        };
    }

    /** Refused while accounts or aliases of the domain exist: deleting it would orphan their mail. */
    static DirectoryChange removeDomain(String domain) throws DirectoryException {
        String d = DirectoryKeys.domain(domain);
        return data -> {
            if (!data.domains().contains(d)) throw new DirectoryException("no such domain: " + d);
            long accounts = data.accounts().stream().filter(a -> DirectoryKeys.domainOf(a.address()).equals(d)).count();
            long aliases = data.aliases().keySet().stream().filter(a -> DirectoryKeys.domainOf(a).equals(d)).count();
            if (accounts + aliases > 0)
                throw new DirectoryException("domain " + d + " still has " + accounts + " account(s) and "
                        + aliases + " alias(es); delete them first");
            List<String> domains = data.mutableDomains();
            domains.remove(d);
            Map<String, String> secure = new LinkedHashMap<>(data.secureDomains());
            secure.remove(d); // its secure alias domain goes with it
            return data.withDomains(domains).withSecureDomains(secure);
        };
    }

    /** Makes {@code secureDomain} the secure alias domain of the local {@code domain}, replacing an earlier one. */
    static DirectoryChange setSecureDomain(String domain, String secureDomain, SecureSettings configured) throws DirectoryException {
        String d = DirectoryKeys.domain(domain);
        String sd = DirectoryKeys.domain(secureDomain);
        String other = configured.aliasToDomain().get(sd);
        if (other != null && !other.equals(d))
            throw new DirectoryException(sd + " is already the secure alias domain of " + other + " in " + SecureSettings.FILE);
        return data -> {
            if (!data.domains().contains(d)) throw new DirectoryException("no such domain: " + d + " (add it first: depesche domain add " + d + ")");
            if (data.domains().contains(sd)) throw new DirectoryException(sd + " is already a local domain; a secure alias domain must be a name of its own");
            for (var e : data.secureDomains().entrySet()) {
                if (e.getValue().equals(sd) && !e.getKey().equals(d))
                    throw new DirectoryException(sd + " is already the secure alias domain of " + e.getKey());
            }
            Map<String, String> secure = new LinkedHashMap<>(data.secureDomains());
            secure.put(d, sd);
            return data.withSecureDomains(secure);
        };
    }

    /** Creates an account in a local domain; the password is hashed here, before the backend is locked, as hashing takes a while. */
    static DirectoryChange addUser(String address, char[] password, PasswordHasher hasher) throws DirectoryException {
        String a = accountAddress(address);
        String hash = hasher.hash(checkPassword(password));
        return data -> {
            requireLocalDomain(data, a);
            if (findAccount(data, a) >= 0) throw new DirectoryException("account " + a + " already exists");
            if (data.aliases().containsKey(a)) throw new DirectoryException(a + " is an alias; delete the alias first");
            List<AccountEntry> accounts = data.mutableAccounts();
            accounts.add(new AccountEntry(a, hash, true, false, false));
            return data.withAccounts(accounts);
        };
    }

    static DirectoryChange setPassword(String address, char[] password, PasswordHasher hasher) throws DirectoryException {
        String a = DirectoryKeys.address(address);
        String hash = hasher.hash(checkPassword(password));
        return changeAccount(a, entry -> entry.withPassword(hash));
    }

    /** Deletes the account and removes it from alias targets; aliases left without targets go too, and so do their secure marks. */
    static DirectoryChange removeUser(String address) throws DirectoryException {
        String a = DirectoryKeys.address(address);
        return data -> {
            int i = findAccount(data, a);
            if (i < 0) throw new DirectoryException("no such account: " + a);
            List<AccountEntry> accounts = data.mutableAccounts();
            accounts.remove(i);
            Map<String, List<String>> aliases = new LinkedHashMap<>();
            data.aliases().forEach((alias, targets) -> {
                List<String> left = targets.stream().filter(t -> !t.equals(a)).toList();
                if (!left.isEmpty()) aliases.put(alias, left);
            });
            return data.withAccounts(accounts).withAliases(aliases).withSecureAddresses(secureLeft(data.secureAddresses(), accounts, aliases));
        };
    }

    /** Creates the alias, or adds targets to an existing one. Targets must be accounts. */
    static DirectoryChange addAlias(String alias, List<String> targets) throws DirectoryException {
        String a = accountAddress(alias);
        if (targets.isEmpty()) throw new DirectoryException("an alias needs at least one target account");
        List<String> wanted = new ArrayList<>();
        for (String t : targets) wanted.add(DirectoryKeys.address(t));
        return data -> {
            requireLocalDomain(data, a);
            if (findAccount(data, a) >= 0) throw new DirectoryException(a + " is an account; an alias cannot have its name");
            for (String t : wanted) {
                if (findAccount(data, t) < 0)
                    throw new DirectoryException("alias target " + t + " is not a local account (remote targets are not supported yet)");
            }
            Map<String, List<String>> aliases = data.mutableAliases();
            Set<String> merged = new LinkedHashSet<>(aliases.getOrDefault(a, List.of()));
            merged.addAll(wanted);
            aliases.put(a, List.copyOf(merged));
            return data.withAliases(aliases);
        };
    }

    static DirectoryChange removeAlias(String alias) throws DirectoryException {
        String a = DirectoryKeys.address(alias);
        return data -> {
            if (!data.aliases().containsKey(a)) throw new DirectoryException("no such alias: " + a);
            Map<String, List<String>> aliases = data.mutableAliases();
            aliases.remove(a);
            return data.withAliases(aliases).withSecureAddresses(secureLeft(data.secureAddresses(), data.accounts(), aliases));
        };
    }

    /**
     * Marks an account or alias address secure with the given strictness
     * (null: no longer secure, refused while depesche.toml marks it). Marking
     * names an existing account or alias of a local domain, not a secure
     * alias domain's address.
     */
    static DirectoryChange setSecure(String address, Strictness strictness, SecureSettings configured) throws DirectoryException {
        String a = DirectoryKeys.address(address);
        if (strictness == null && configured.addresses().containsKey(a)) throw setInConfig(a, "[[secure.address]]");
        return data -> {
            if (findAccount(data, a) < 0 && !data.aliases().containsKey(a))
                throw new DirectoryException("no such account or alias: " + a);
            Map<String, String> secure = new LinkedHashMap<>(data.secureAddresses());
            if (strictness == null) secure.remove(a);
            else secure.put(a, strictness.label());
            return data.withSecureAddresses(secure);
        };
    }

    /** Sets the account's two switches; one that depesche.toml turns on cannot be turned off here. */
    static DirectoryChange setAccountTls(String address, boolean receiveTlsOnly, boolean sendAuthenticatedOnly,
                                         SecureSettings configured) throws DirectoryException {
        String a = DirectoryKeys.address(address);
        SecureSettings.Switches fixed = configured.accounts().get(a);
        if (fixed != null && (fixed.receiveTlsOnly() && !receiveTlsOnly || fixed.sendAuthenticatedOnly() && !sendAuthenticatedOnly))
            throw setInConfig(a, "[[secure.account]]");
        return changeAccount(a, entry -> entry.withSwitches(receiveTlsOnly, sendAuthenticatedOnly));
    }

    /** Refuses to make {@code address} ordinary while a [secure] table of depesche.toml names it. */
    static void requireNotConfigured(String address, SecureSettings configured) throws DirectoryException {
        String a = DirectoryKeys.address(address);
        var table = configured.tableFor(a);
        if (table.isPresent()) throw setInConfig(a, table.get());
    }

    private static DirectoryException setInConfig(String address, String table) {
        return new DirectoryException(address + " is made secure by " + table + " in " + SecureSettings.FILE
                + "; remove it there and restart to change that");
    }

    private static DirectoryChange changeAccount(String address, java.util.function.UnaryOperator<AccountEntry> edit) {
        return data -> {
            int i = findAccount(data, address);
            if (i < 0) throw new DirectoryException("no such account: " + address);
            List<AccountEntry> accounts = data.mutableAccounts();
            accounts.set(i, edit.apply(accounts.get(i)));
            return data.withAccounts(accounts);
        };
    }

    /** The secure marks of the accounts and aliases that still exist. */
    private static Map<String, String> secureLeft(Map<String, String> secure, List<AccountEntry> accounts, Map<String, List<String>> aliases) {
        Set<String> accountNames = new HashSet<>();
        for (AccountEntry e : accounts) accountNames.add(e.address());
        Map<String, String> left = new LinkedHashMap<>(secure);
        left.keySet().removeIf(k -> !accountNames.contains(k) && !aliases.containsKey(k));
        return left;
    }

    /**
     * Addresses that name accounts and aliases are restricted to characters
     * that are safe as a Maildir directory name and unambiguous in lookups:
     * letters, digits, '.', '_' and '-'. '+' is reserved for subaddresses.
     */
    private static String accountAddress(String address) throws DirectoryException {
        String a = DirectoryKeys.address(address);
        String local = a.substring(0, a.lastIndexOf('@'));
        if (local.indexOf('+') >= 0)
            throw new DirectoryException("'+' is reserved for subaddresses (user+tag@); choose a name without it: " + address);
        if (!local.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-'))
            throw new DirectoryException("use only letters, digits, '.', '_' and '-' in the local part: " + address);
        return a;
    }

    private static char[] checkPassword(char[] password) throws DirectoryException {
        if (password == null || password.length == 0) throw new DirectoryException("the password is empty");
        if (password.length > 1024) throw new DirectoryException("the password is longer than 1024 characters");
        return password;
    }

    private static void requireLocalDomain(DirectoryData data, String address) throws DirectoryException {
        String domain = DirectoryKeys.domainOf(address);
        if (!data.domains().contains(domain))
            throw new DirectoryException("domain " + domain + " is not a local domain; add it first: depesche domain add " + domain);
    }

    private static int findAccount(DirectoryData data, String address) {
        for (int i = 0; i < data.accounts().size(); i++) {
            if (data.accounts().get(i).address().equals(address)) return i;
        }
        return -1;
    }
}
