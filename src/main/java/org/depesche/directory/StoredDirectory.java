package org.depesche.directory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.DirectoryData.AccountEntry;
import org.depesche.mail.MailAddress;

/**
 * A directory over stored content, whatever stores it: every question goes
 * to {@link RoutingRules} over the backend's current
 * {@link DirectorySnapshot}, every change is a {@link DirectoryChange} the
 * backend applies atomically. A backend ({@link FileDirectory}; a database
 * later) says only how it keeps the content, so all backends answer alike
 * ({@code DirectoryContractTest} holds them to it).
 */
public abstract class StoredDirectory implements DirectoryAdmin {
    private final PasswordHasher hasher;
    private final SecureSettings configured;
    private volatile String dummyHash;

    StoredDirectory(PasswordHasher hasher, SecureSettings configured) {
        this.hasher = hasher;
        this.configured = configured;
    }

    /** The content as the backend has it now (a backend may re-read a store another process changed). */
    abstract DirectorySnapshot current();

    /** Applies {@code change} to the stored content atomically; {@link #current} sees the result at once. */
    abstract void store(DirectoryChange change) throws DirectoryException;

    /** The stored content with the [secure] entries of depesche.toml laid over it; {@code source} names it in errors. */
    final DirectorySnapshot snapshotOf(DirectoryData data, String source) throws DirectoryException {
        return DirectorySnapshot.of(data, configured, source);
    }

    private RoutingRules rules() {
        return new RoutingRules(current());
    }

    // ---- lookups (the server) ----

    @Override
    public boolean isLocalDomain(String domain) {
        return rules().isLocalDomain(domain);
    }

    @Override
    public List<MailAddress> resolve(MailAddress address) {
        return rules().resolve(address);
    }

    @Override
    public Optional<MailAddress> postmasterAddress() {
        return rules().postmasterAddress();
    }

    @Override
    public Optional<Strictness> requiredTls(MailAddress address) {
        return rules().requiredTls(address);
    }

    @Override
    public Optional<Strictness> secureSender(MailAddress address) {
        return rules().secureSender(address);
    }

    @Override
    public boolean sendsOnlyAuthenticated(Account account) {
        return rules().sendsOnlyAuthenticated(account);
    }

    @Override
    public boolean mayUseAddress(Account account, MailAddress address) {
        return rules().mayUseAddress(account, address);
    }

    @Override
    public Optional<Account> authenticate(String login, char[] password) {
        Optional<AccountEntry> entry = rules().loginAccount(login);
        if (entry.isEmpty()) {
            // Same work as a real check, so response time does not tell which logins exist.
            hasher.verify(password, dummyHash());
            return Optional.empty();
        }
        if (!hasher.verify(password, entry.get().password())) return Optional.empty();
        return Optional.of(new Account(MailAddress.parse(entry.get().address())));
    }

    private String dummyHash() {
        String h = dummyHash;
        if (h == null) dummyHash = h = hasher.hash("not a password".toCharArray());
        return h;
    }

    // ---- listings (the CLI) ----

    @Override
    public List<String> domains() {
        return rules().domains();
    }

    @Override
    public List<AccountInfo> accounts() {
        return rules().accounts();
    }

    @Override
    public Map<String, List<String>> aliases() {
        return rules().aliases();
    }

    @Override
    public Map<String, String> secureDomains() {
        return rules().secureDomains();
    }

    @Override
    public Map<String, List<String>> secureAliasDomains() {
        return rules().secureAliasDomains();
    }

    @Override
    public Map<String, Strictness> secureAddresses() {
        return rules().secureAddresses();
    }

    @Override
    public SecureSettings configured() {
        return configured;
    }

    @Override
    public Optional<String> configuredTable(String address) {
        try {
            return configured.tableFor(DirectoryKeys.address(address));
        } catch (DirectoryException e) {
            return Optional.empty();
        }
    }

    @Override
    public void requireNotConfigured(String address) throws DirectoryException {
        DirectoryChange.requireNotConfigured(address, configured);
    }

    // ---- changes (the CLI) ----

    @Override
    public void addDomain(String domain) throws DirectoryException {
        store(DirectoryChange.addDomain(domain, configured));
    }

    @Override
    public void removeDomain(String domain) throws DirectoryException {
        store(DirectoryChange.removeDomain(domain));
    }

    @Override
    public void setSecureDomain(String domain, String secureDomain) throws DirectoryException {
        store(DirectoryChange.setSecureDomain(domain, secureDomain, configured));
    }

    @Override
    public void addUser(String address, char[] password) throws DirectoryException {
        store(DirectoryChange.addUser(address, password, hasher));
    }

    @Override
    public void setPassword(String address, char[] password) throws DirectoryException {
        store(DirectoryChange.setPassword(address, password, hasher));
    }

    @Override
    public void removeUser(String address) throws DirectoryException {
        store(DirectoryChange.removeUser(address));
    }

    @Override
    public void addAlias(String alias, List<String> targets) throws DirectoryException {
        store(DirectoryChange.addAlias(alias, targets));
    }

    @Override
    public void removeAlias(String alias) throws DirectoryException {
        store(DirectoryChange.removeAlias(alias));
    }

    @Override
    public void setSecure(String address, Strictness strictness) throws DirectoryException {
        store(DirectoryChange.setSecure(address, strictness, configured));
    }

    @Override
    public void setAccountTls(String address, boolean receiveTlsOnly, boolean sendAuthenticatedOnly) throws DirectoryException {
        store(DirectoryChange.setAccountTls(address, receiveTlsOnly, sendAuthenticatedOnly, configured));
    }
}
