package org.depesche.directory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.DirectoryData.AccountEntry;
import org.depesche.mail.DomainName;
import org.depesche.mail.InvalidDomainException;
import org.depesche.mail.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory kept in {@code <data>/directory.json}. Reads go to an
 * in-memory snapshot; at most every {@link #RECHECK_MILLIS} ms a lookup
 * checks whether the file was replaced (by the CLI) and loads the new one.
 * A file that cannot be parsed is logged and the old snapshot kept.
 *
 * <p>Resolution of {@code local@domain} for a local domain, first match wins:
 * <ol>
 * <li>the account {@code local@domain};</li>
 * <li>the alias {@code local@domain} (its targets that are accounts);</li>
 * <li>with {@code local} = {@code base+tag}: steps 1 and 2 for {@code base};</li>
 * <li>for {@code postmaster} (RFC 5321 4.5.1: every domain must have one):
 *     {@code postmaster@<first local domain>} as account or alias, else the
 *     first account created.</li>
 * </ol>
 * Disabled accounts cannot log in but still receive mail, so suspending a
 * user does not bounce their mail.
 */
public final class FileDirectory implements Directory {
    private static final Logger log = LoggerFactory.getLogger(FileDirectory.class);
    static final long RECHECK_MILLIS = 200;

    private final DirectoryFile file;
    private final Clock clock;
    private final PasswordHasher hasher;
    private final SecureSettings configured;
    private final Object reloadLock = new Object();

    private volatile Snapshot snapshot;
    private volatile long lastCheck;
    private volatile String dummyHash;

    public FileDirectory(Path file) throws DirectoryException {
        this(file, Clock.systemUTC(), new PasswordHasher());
    }

    /** Reads the file now: a missing file is an empty directory, an unreadable one an error. */
    public FileDirectory(Path file, Clock clock, PasswordHasher hasher) throws DirectoryException {
        this(file, clock, hasher, SecureSettings.NONE);
    }

    /**
     * As above, with the [secure] entries of depesche.toml laid over the
     * file; one that contradicts the file (an alias domain that is a local
     * domain there) is an error.
     */
    public FileDirectory(Path file, Clock clock, PasswordHasher hasher, SecureSettings configured) throws DirectoryException {
        this.file = new DirectoryFile(file);
        this.clock = clock;
        this.hasher = hasher;
        this.configured = configured;
        DirectoryFile.Read read = this.file.read();
        this.snapshot = Snapshot.of(read, this.file.path(), configured);
        this.lastCheck = clock.millis();
    }

    /** An installation's directory: {@code <data>/directory.json} with the [secure] entries of its config laid over it. */
    public static FileDirectory of(org.depesche.config.Config config, Clock clock) throws DirectoryException {
        return new FileDirectory(config.dataDir().resolve("directory.json"), clock, new PasswordHasher(),
                SecureSettings.from(config.secure()));
    }

    public Path path() {
        return file.path();
    }

    // ---- lookups (the server) ----

    @Override
    public boolean isLocalDomain(String domain) {
        if (domain == null) return false;
        if (!DomainName.isValid(domain)) return false;
        Snapshot s = snapshot();
        return s.domains.contains(s.baseDomain(DomainName.key(domain)));
    }

    @Override
    public List<MailAddress> resolve(MailAddress address) {
        return resolve(snapshot(), address);
    }

    /** A secure alias domain resolves exactly as the domain it stands for. */
    private static List<MailAddress> resolve(Snapshot s, MailAddress address) {
        String domain = s.baseDomain(address.domain());
        if (!s.domains.contains(domain)) return List.of();
        String local = address.normalizedLocalPart();
        List<MailAddress> found = s.direct(local, domain);
        String base = baseOf(local);
        if (found.isEmpty() && !base.equals(local)) found = s.direct(base, domain);
        if (found.isEmpty() && base.equals("postmaster")) found = s.postmaster(); // RFC 5321 4.5.1
        return found;
    }

    @Override
    public Optional<Strictness> requiredTls(MailAddress address) {
        Snapshot s = snapshot();
        Optional<Strictness> secure = secureAddress(s, address);
        if (secure.isPresent() || !s.domains.contains(s.baseDomain(address.domain()))) return secure;
        for (MailAddress m : resolve(s, address)) {
            String k = key(m);
            if (s.accounts.get(k).receivesOnlyOverTls()) return Optional.of(s.secure.getOrDefault(k, Strictness.VERIFY));
        }
        return Optional.empty();
    }

    @Override
    public Optional<Strictness> secureSender(MailAddress address) {
        return secureAddress(snapshot(), address);
    }

    /** The address is marked secure (itself or its +tag base), else in a secure alias domain (verify). */
    private static Optional<Strictness> secureAddress(Snapshot s, MailAddress address) {
        String domain = s.baseDomain(address.domain());
        if (!s.domains.contains(domain)) return Optional.empty();
        String local = address.normalizedLocalPart();
        Strictness marked = s.secure.get(local + "@" + domain);
        if (marked == null) marked = s.secure.get(baseOf(local) + "@" + domain);
        if (marked != null) return Optional.of(marked);
        if (!domain.equals(address.domain())) return Optional.of(Strictness.VERIFY);
        return Optional.empty();
    }

    @Override
    public boolean sendsOnlyAuthenticated(Account account) {
        AccountEntry entry = snapshot().accounts.get(key(account.address()));
        return entry != null && entry.sendsOnlyAuthenticated();
    }

    @Override
    public Optional<MailAddress> postmasterAddress() {
        // resolve() falls back from postmaster@<first domain> to Snapshot.postmaster(), so this address reaches whoever does.
        return Optional.ofNullable(snapshot().firstDomain).map(d -> MailAddress.parse("postmaster@" + d));
    }

    @Override
    public Optional<Account> authenticate(String login, char[] password) {
        Snapshot s = snapshot();
        AccountEntry entry = null;
        try {
            entry = s.accounts.get(key(MailAddress.parse(login.strip())));
        } catch (IllegalArgumentException | NullPointerException e) {
            // fall through: an unknown login costs the same as a wrong password
        }
        if (entry == null || !entry.enabled()) {
            // Same work as a real check, so response time does not tell which logins exist.
            hasher.verify(password, dummyHash());
            return Optional.empty();
        }
        if (!hasher.verify(password, entry.password())) return Optional.empty();
        return Optional.of(new Account(MailAddress.parse(entry.address())));
    }

    @Override
    public boolean mayUseAddress(Account account, MailAddress address) {
        Snapshot s = snapshot();
        String me = key(account.address());
        if (!s.accounts.containsKey(me)) return false;
        String local = address.normalizedLocalPart();
        String domain = s.baseDomain(address.domain());
        return s.owns(me, local + "@" + domain) || s.owns(me, baseOf(local) + "@" + domain);
    }

    // ---- listings and changes (the CLI) ----

    public List<String> domains() {
        return List.copyOf(snapshot().domains);
    }

    /** One account as listed by the CLI; {@code secure} is empty unless its address is marked secure. */
    public record AccountInfo(String address, boolean enabled, Optional<Strictness> secure, boolean receiveTlsOnly,
                              boolean sendAuthenticatedOnly) {
        public AccountInfo(String address, boolean enabled) {
            this(address, enabled, Optional.empty(), false, false);
        }
    }

    public List<AccountInfo> accounts() {
        Snapshot s = snapshot();
        return s.accounts.values().stream().map(a -> new AccountInfo(a.address(), a.enabled(),
                Optional.ofNullable(s.secure.get(a.address())), a.receivesOnlyOverTls(), a.sendsOnlyAuthenticated())).toList();
    }

    /** Local domains mapped to their secure alias domain. */
    public Map<String, String> secureDomains() {
        return new TreeMap<>(snapshot().baseToSecure());
    }

    /** Local domains mapped to all their secure alias domains, from directory.json and depesche.toml. */
    public Map<String, List<String>> secureAliasDomains() {
        Map<String, List<String>> out = new TreeMap<>();
        snapshot().secureToBase.forEach((alias, base) -> out.computeIfAbsent(base, b -> new ArrayList<>()).add(alias));
        return out;
    }

    /** The [secure] entries of depesche.toml laid over the file. */
    public SecureSettings configured() {
        return configured;
    }

    /** The depesche.toml table that makes {@code address} secure ("[[secure.address]]"), if any. */
    public Optional<String> configuredTable(String address) {
        try {
            return configured.tableFor(normalizeAddress(address));
        } catch (DirectoryException e) {
            return Optional.empty();
        }
    }

    /** Refuses to make {@code address} ordinary while a [secure] table of depesche.toml names it. */
    public void requireNotConfigured(String address) throws DirectoryException {
        String a = normalizeAddress(address);
        Optional<String> table = configured.tableFor(a);
        if (table.isPresent()) throw setInConfig(a, table.get());
    }

    private static DirectoryException setInConfig(String address, String table) {
        return new DirectoryException(address + " is made secure by " + table + " in " + SecureSettings.FILE
                + "; remove it there and restart to change that");
    }

    /** Addresses (accounts and aliases) marked secure, sorted, with their strictness. */
    public Map<String, Strictness> secureAddresses() {
        return new TreeMap<>(snapshot().secure);
    }

    /**
     * Makes {@code secureDomain} the secure alias domain of the local
     * {@code domain}: every address there reaches the same account as in
     * {@code domain} but only over TLS. Replaces an earlier secure alias.
     */
    public void setSecureDomain(String domain, String secureDomain) throws DirectoryException {
        String d = domainKey(domain);
        String sd = domainKey(secureDomain);
        String other = configured.aliasToDomain().get(sd);
        if (other != null && !other.equals(d))
            throw new DirectoryException(sd + " is already the secure alias domain of " + other + " in " + SecureSettings.FILE);
        update(data -> {
            if (!data.domains().contains(d)) throw new DirectoryException("no such domain: " + d + " (add it first: depesche domain add " + d + ")");
            if (data.domains().contains(sd)) throw new DirectoryException(sd + " is already a local domain; a secure alias domain must be a name of its own");
            for (var e : data.secureDomains().entrySet()) {
                if (e.getValue().equals(sd) && !e.getKey().equals(d))
                    throw new DirectoryException(sd + " is already the secure alias domain of " + e.getKey());
            }
            Map<String, String> secure = new LinkedHashMap<>(data.secureDomains());
            secure.put(d, sd);
            return data.withSecureDomains(secure);
        });
    }

    /**
     * Marks an account or alias address secure with the given strictness
     * (null: no longer secure). Marking names an existing account or alias
     * of a local domain, not a secure alias domain's address.
     */
    public void setSecure(String address, Strictness strictness) throws DirectoryException {
        String a = normalizeAddress(address);
        if (strictness == null && configured.addresses().containsKey(a)) throw setInConfig(a, "[[secure.address]]");
        update(data -> {
            if (findAccount(data, a) < 0 && !data.aliases().containsKey(a))
                throw new DirectoryException("no such account or alias: " + a);
            Map<String, String> secure = new LinkedHashMap<>(data.secureAddresses());
            if (strictness == null) secure.remove(a);
            else secure.put(a, strictness.label());
            return data.withSecureAddresses(secure);
        });
    }

    /** Sets the account's switches "receive only over TLS" and "send only over authenticated TLS". */
    public void setAccountTls(String address, boolean receiveTlsOnly, boolean sendAuthenticatedOnly) throws DirectoryException {
        String a = normalizeAddress(address);
        SecureSettings.Switches fixed = configured.accounts().get(a);
        if (fixed != null && (fixed.receiveTlsOnly() && !receiveTlsOnly || fixed.sendAuthenticatedOnly() && !sendAuthenticatedOnly))
            throw setInConfig(a, "[[secure.account]]");
        update(data -> {
            int i = findAccount(data, a);
            if (i < 0) throw new DirectoryException("no such account: " + a);
            List<AccountEntry> accounts = data.mutableAccounts();
            accounts.set(i, accounts.get(i).withSwitches(receiveTlsOnly, sendAuthenticatedOnly));
            return data.withAccounts(accounts);
        });
    }

    /** Aliases sorted by address, each with its targets. */
    public Map<String, List<String>> aliases() {
        return new TreeMap<>(snapshot().aliases);
    }

    public void addDomain(String domain) throws DirectoryException {
        String d = domainKey(domain);
        if (configured.aliasToDomain().containsKey(d))
            throw new DirectoryException(d + " is the secure alias domain of " + configured.aliasToDomain().get(d) + " in " + SecureSettings.FILE);
        update(data -> {
            if (data.domains().contains(d)) throw new DirectoryException("domain " + d + " already exists");
            if (data.secureDomains().containsValue(d)) throw new DirectoryException(d + " is already a secure alias domain");
            List<String> domains = data.mutableDomains();
            domains.add(d);
            return data.withDomains(domains);
        });
    }

    /** Refused while accounts or aliases of the domain exist: deleting it would orphan their mail. */
    public void removeDomain(String domain) throws DirectoryException {
        String d = domainKey(domain);
        update(data -> {
            if (!data.domains().contains(d)) throw new DirectoryException("no such domain: " + d);
            long accounts = data.accounts().stream().filter(a -> a.address().endsWith("@" + d)).count();
            long aliases = data.aliases().keySet().stream().filter(a -> a.endsWith("@" + d)).count();
            if (accounts + aliases > 0)
                throw new DirectoryException("domain " + d + " still has " + accounts + " account(s) and "
                        + aliases + " alias(es); delete them first");
            List<String> domains = data.mutableDomains();
            domains.remove(d);
            Map<String, String> secure = new LinkedHashMap<>(data.secureDomains());
            secure.remove(d); // its secure alias domain goes with it
            return data.withDomains(domains).withSecureDomains(secure);
        });
    }

    /** Creates an account; its domain must already be local. */
    public void addUser(String address, char[] password) throws DirectoryException {
        String a = accountAddress(address);
        checkPassword(password);
        String hash = hasher.hash(password); // outside the lock: hashing takes a while
        update(data -> {
            requireLocalDomain(data, a);
            if (findAccount(data, a) >= 0) throw new DirectoryException("account " + a + " already exists");
            if (data.aliases().containsKey(a)) throw new DirectoryException(a + " is an alias; delete the alias first");
            List<AccountEntry> accounts = data.mutableAccounts();
            accounts.add(new AccountEntry(a, hash, true, false, false));
            return data.withAccounts(accounts);
        });
    }

    public void setPassword(String address, char[] password) throws DirectoryException {
        String a = normalizeAddress(address);
        checkPassword(password);
        String hash = hasher.hash(password);
        update(data -> {
            int i = findAccount(data, a);
            if (i < 0) throw new DirectoryException("no such account: " + a);
            List<AccountEntry> accounts = data.mutableAccounts();
            accounts.set(i, accounts.get(i).withPassword(hash));
            return data.withAccounts(accounts);
        });
    }

    /** Deletes the account and removes it from alias targets; aliases left without targets go too. */
    public void removeUser(String address) throws DirectoryException {
        String a = normalizeAddress(address);
        update(data -> {
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
        });
    }

    /** Creates the alias, or adds targets to an existing one. Targets must be accounts. */
    public void addAlias(String alias, List<String> targets) throws DirectoryException {
        String a = accountAddress(alias);
        if (targets.isEmpty()) throw new DirectoryException("an alias needs at least one target account");
        List<String> wanted = new ArrayList<>();
        for (String t : targets) wanted.add(normalizeAddress(t));
        update(data -> {
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
        });
    }

    public void removeAlias(String alias) throws DirectoryException {
        String a = normalizeAddress(alias);
        update(data -> {
            if (!data.aliases().containsKey(a)) throw new DirectoryException("no such alias: " + a);
            Map<String, List<String>> aliases = data.mutableAliases();
            aliases.remove(a);
            return data.withAliases(aliases).withSecureAddresses(secureLeft(data.secureAddresses(), data.accounts(), aliases));
        });
    }

    // ---- internals ----

    /** The secure marks of the accounts and aliases that still exist. */
    private static Map<String, String> secureLeft(Map<String, String> secure, List<AccountEntry> accounts, Map<String, List<String>> aliases) {
        Set<String> accountNames = new java.util.HashSet<>();
        for (AccountEntry e : accounts) accountNames.add(e.address());
        Map<String, String> left = new LinkedHashMap<>(secure);
        left.keySet().removeIf(k -> !accountNames.contains(k) && !aliases.containsKey(k));
        return left;
    }

    private void update(DirectoryFile.Change change) throws DirectoryException {
        DirectoryFile.Read written = file.update(change);
        synchronized (reloadLock) {
            snapshot = Snapshot.of(written, file.path(), configured);
            lastCheck = clock.millis();
        }
    }

    private Snapshot snapshot() {
        long now = clock.millis();
        if (now - lastCheck < RECHECK_MILLIS && now >= lastCheck) return snapshot;
        synchronized (reloadLock) {
            if (now - lastCheck < RECHECK_MILLIS && now >= lastCheck) return snapshot;
            lastCheck = now;
            try {
                if (file.stamp().equals(snapshot.stamp)) return snapshot;
                Snapshot fresh = Snapshot.of(file.read(), file.path(), configured);
                snapshot = fresh;
                log.info("directory=reloaded file={} domains={} accounts={} aliases={}",
                        file.path(), fresh.domains.size(), fresh.accounts.size(), fresh.aliases.size());
            } catch (DirectoryException | java.io.IOException e) {
                log.error("directory=reload-failed error=\"{}\" keeping=previous", e.getMessage());
            }
            return snapshot;
        }
    }

    private String dummyHash() {
        String h = dummyHash;
        if (h == null) dummyHash = h = hasher.hash("not a password".toCharArray());
        return h;
    }

    static String baseOf(String local) {
        int plus = local.indexOf('+');
        return plus > 0 ? local.substring(0, plus) : local; // '+' is the subaddress separator
    }

    /** An address as the directory keys it: the local part folded, the domain as its DomainName key. */
    public static String key(MailAddress a) {
        return a.normalizedLocalPart() + "@" + a.domain();
    }

    /** A domain as the directory stores and compares it, its {@link DomainName} key. */
    private static String domainKey(String domain) throws DirectoryException {
        try {
            return DomainName.key(domain);
        } catch (InvalidDomainException e) {
            throw new DirectoryException(e.getMessage());
        }
    }

    private static String normalizeAddress(String address) throws DirectoryException {
        try {
            return key(MailAddress.parse(address.strip()));
        } catch (IllegalArgumentException e) {
            throw new DirectoryException("not a valid address: " + address + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Addresses that name accounts and aliases are restricted to characters
     * that are safe as a Maildir directory name and unambiguous in lookups:
     * letters, digits, '.', '_' and '-'. '+' is reserved for subaddresses.
     */
    private static String accountAddress(String address) throws DirectoryException {
        String a = normalizeAddress(address);
        String local = a.substring(0, a.lastIndexOf('@'));
        if (local.indexOf('+') >= 0)
            throw new DirectoryException("'+' is reserved for subaddresses (user+tag@); choose a name without it: " + address);
        if (!local.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-'))
            throw new DirectoryException("use only letters, digits, '.', '_' and '-' in the local part: " + address);
        return a;
    }

    private static void checkPassword(char[] password) throws DirectoryException {
        if (password == null || password.length == 0) throw new DirectoryException("the password is empty");
        if (password.length > 1024) throw new DirectoryException("the password is longer than 1024 characters");
    }

    private static void requireLocalDomain(DirectoryData data, String address) throws DirectoryException {
        String domain = address.substring(address.lastIndexOf('@') + 1);
        if (!data.domains().contains(domain))
            throw new DirectoryException("domain " + domain + " is not a local domain; add it first: depesche domain add " + domain);
    }

    private static int findAccount(DirectoryData data, String address) {
        for (int i = 0; i < data.accounts().size(); i++) {
            if (data.accounts().get(i).address().equals(address)) return i;
        }
        return -1;
    }

    /** An immutable, indexed view of one version of the file. */
    private record Snapshot(DirectoryFile.Stamp stamp, Set<String> domains, Map<String, AccountEntry> accounts,
                            Map<String, List<String>> aliases, String firstDomain, Map<String, String> secureToBase,
                            Map<String, Strictness> secure) {

        /** The file's content with the configured entries laid over it (THREATS T2b: either source makes an address secure). */
        static Snapshot of(DirectoryFile.Read read, Path file, SecureSettings configured) throws DirectoryException {
            Snapshot s = of(read, file);
            if (configured.equals(SecureSettings.NONE)) return s;
            Map<String, String> secureToBase = new LinkedHashMap<>(s.secureToBase);
            for (var e : configured.aliasToDomain().entrySet()) {
                String before = secureToBase.put(e.getKey(), e.getValue());
                if (s.domains.contains(e.getKey()) || before != null && !before.equals(e.getValue()))
                    throw new DirectoryException(SecureSettings.FILE + ": [[secure.domain]] alias " + e.getKey() + " is "
                            + (before == null ? "a local domain" : "the secure alias domain of " + before) + " in " + file
                            + "; a secure alias domain must be a name of its own");
            }
            Map<String, Strictness> secure = new LinkedHashMap<>(s.secure);
            configured.addresses().forEach((k, st) -> secure.merge(inBaseDomain(k, secureToBase), st, SecureSettings::stricter));
            Map<String, AccountEntry> accounts = new LinkedHashMap<>(s.accounts);
            configured.accounts().forEach((k, sw) -> accounts.computeIfPresent(inBaseDomain(k, secureToBase), (key, a) -> a.withSwitches(
                    a.receivesOnlyOverTls() || sw.receiveTlsOnly(), a.sendsOnlyAuthenticated() || sw.sendAuthenticatedOnly())));
            return new Snapshot(s.stamp, s.domains, Collections.unmodifiableMap(accounts), s.aliases, s.firstDomain,
                    Collections.unmodifiableMap(secureToBase), Collections.unmodifiableMap(secure));
        }

        /** alice@secure.example.org as alice@example.org: the directory keys addresses by their local domain. */
        private static String inBaseDomain(String key, Map<String, String> secureToBase) {
            int at = key.lastIndexOf('@');
            return key.substring(0, at + 1) + secureToBase.getOrDefault(key.substring(at + 1), key.substring(at + 1));
        }

        static Snapshot of(DirectoryFile.Read read, Path file) throws DirectoryException {
            DirectoryData d = read.data();
            Set<String> domains = new LinkedHashSet<>();
            for (String domain : d.domains()) domains.add(storedDomain(domain, file));
            Map<String, AccountEntry> accounts = new LinkedHashMap<>();
            for (AccountEntry a : d.accounts()) {
                String k = parseStored(a.address(), file);
                accounts.put(k, new AccountEntry(k, a.password(), a.enabled(), a.receiveTlsOnly(), a.sendAuthenticatedOnly()));
            }
            Map<String, List<String>> aliases = new LinkedHashMap<>();
            for (var e : d.aliases().entrySet()) {
                List<String> targets = new ArrayList<>();
                for (String t : e.getValue()) targets.add(parseStored(t, file));
                aliases.put(parseStored(e.getKey(), file), List.copyOf(targets));
            }
            Map<String, String> secureToBase = new LinkedHashMap<>();
            for (var e : d.secureDomains().entrySet()) secureToBase.put(storedDomain(e.getValue(), file), storedDomain(e.getKey(), file));
            Map<String, Strictness> secure = new LinkedHashMap<>();
            for (var e : d.secureAddresses().entrySet()) {
                Strictness st = Strictness.parse(e.getValue());
                if (st == null) throw new DirectoryException(file + ": strictness of " + e.getKey() + " must be encrypt or verify, not \"" + e.getValue() + "\"");
                secure.put(parseStored(e.getKey(), file), st);
            }
            String first = domains.isEmpty() ? null : domains.iterator().next();
            return new Snapshot(read.stamp(), Collections.unmodifiableSet(domains), Collections.unmodifiableMap(accounts),
                    Collections.unmodifiableMap(aliases), first, Collections.unmodifiableMap(secureToBase),
                    Collections.unmodifiableMap(secure));
        }

        /** The local domain a secure alias domain stands for; any other domain unchanged. */
        String baseDomain(String domain) {
            return secureToBase.getOrDefault(domain, domain);
        }

        Map<String, String> baseToSecure() {
            Map<String, String> out = new LinkedHashMap<>();
            secureToBase.forEach((alias, base) -> out.put(base, alias));
            return out;
        }

        /** A domain of the file by its key, so that every spelling in the file and at RCPT is one domain. */
        private static String storedDomain(String domain, Path file) throws DirectoryException {
            try {
                return DomainName.key(domain);
            } catch (InvalidDomainException e) {
                throw new DirectoryException(file + ": invalid domain \"" + domain + "\"");
            }
        }

        private static String parseStored(String address, Path file) throws DirectoryException {
            try {
                return key(MailAddress.parse(address));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new DirectoryException(file + ": invalid address \"" + address + "\"");
            }
        }

        /** Steps 1 and 2: the account itself, else the alias's targets that are accounts. */
        List<MailAddress> direct(String local, String domain) {
            String k = local + "@" + domain;
            if (accounts.containsKey(k)) return List.of(MailAddress.parse(k));
            List<String> targets = aliases.get(k);
            if (targets == null) return List.of();
            return targets.stream().filter(accounts::containsKey).distinct().map(MailAddress::parse).toList();
        }

        List<MailAddress> postmaster() {
            if (firstDomain != null) {
                List<MailAddress> p = direct("postmaster", firstDomain);
                if (!p.isEmpty()) return p;
            }
            return accounts.keySet().stream().findFirst().map(k -> List.of(MailAddress.parse(k))).orElse(List.of());
        }

        boolean owns(String account, String address) {
            if (address.equals(account)) return true;
            List<String> targets = aliases.get(address);
            return targets != null && targets.contains(account);
        }
    }

    @Override
    public String toString() {
        return "FileDirectory[" + file.path() + "]";
    }
}
