package org.depesche.directory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.depesche.directory.Directory.Account;
import org.depesche.directory.Directory.Strictness;
import org.depesche.directory.DirectoryAdmin.AccountInfo;
import org.depesche.directory.DirectoryData.AccountEntry;
import org.depesche.mail.MailAddress;

/**
 * Every question a {@link Directory} answers, answered from one
 * {@link DirectorySnapshot}, whichever backend stored it.
 *
 * <p>Resolution of {@code local@domain} for a local domain (a secure alias
 * domain counts as the domain it stands for), first match wins:
 * <ol>
 * <li>the account {@code local@domain};</li>
 * <li>the alias {@code local@domain} (its targets that are accounts);</li>
 * <li>with {@code local} = {@code base+tag} (RFC 5233): steps 1 and 2 for {@code base};</li>
 * <li>for {@code postmaster} (RFC 5321 4.5.1: every domain must have one):
 *     {@code postmaster@<first local domain>} as account or alias, else the
 *     first account created.</li>
 * </ol>
 * Aliases do not chain: a target is an account or is skipped. Disabled
 * accounts cannot log in but still receive mail, so suspending a user does
 * not bounce their mail.
 */
final class RoutingRules {
    private final DirectorySnapshot s;

    RoutingRules(DirectorySnapshot snapshot) {
        this.s = snapshot;
    }

    boolean isLocalDomain(String domain) {
        return DirectoryKeys.lookupDomain(domain).map(d -> s.domains().contains(baseDomain(d))).orElse(false);
    }

    List<MailAddress> resolve(MailAddress address) {
        String domain = baseDomain(address.domain());
        if (!s.domains().contains(domain)) return List.of();
        String local = address.normalizedLocalPart();
        List<MailAddress> found = direct(local, domain);
        String base = DirectoryKeys.baseOf(local);
        if (found.isEmpty() && !base.equals(local)) found = direct(base, domain);
        if (found.isEmpty() && base.equals("postmaster")) found = postmaster(); // RFC 5321 4.5.1
        return found;
    }

    /** postmaster@ of the first local domain: {@link #resolve} falls back from it to whoever answers for postmaster. */
    Optional<MailAddress> postmasterAddress() {
        return s.domains().stream().findFirst().map(d -> MailAddress.parse("postmaster@" + d));
    }

    Optional<Strictness> requiredTls(MailAddress address) {
        Optional<Strictness> secure = secureSender(address);
        if (secure.isPresent() || !s.domains().contains(baseDomain(address.domain()))) return secure;
        for (MailAddress m : resolve(address)) {
            String k = DirectoryKeys.key(m);
            if (s.accounts().get(k).receivesOnlyOverTls()) return Optional.of(s.secure().getOrDefault(k, SecureSettings.IMPLIED));
        }
        return Optional.empty();
    }

    /** The address is marked secure (itself or its +tag base), else in a secure alias domain. */
    Optional<Strictness> secureSender(MailAddress address) {
        String domain = baseDomain(address.domain());
        if (!s.domains().contains(domain)) return Optional.empty();
        String local = address.normalizedLocalPart();
        Strictness marked = s.secure().get(local + "@" + domain);
        if (marked == null) marked = s.secure().get(DirectoryKeys.baseOf(local) + "@" + domain);
        if (marked != null) return Optional.of(marked);
        if (!domain.equals(address.domain())) return Optional.of(SecureSettings.IMPLIED);
        return Optional.empty();
    }

    boolean sendsOnlyAuthenticated(Account account) {
        AccountEntry entry = s.accounts().get(DirectoryKeys.key(account.address()));
        return entry != null && entry.sendsOnlyAuthenticated();
    }

    /** The account a login names if it may log in (it exists and is enabled); the password is the caller's to check. */
    Optional<AccountEntry> loginAccount(String login) {
        AccountEntry entry = null;
        try {
            entry = s.accounts().get(DirectoryKeys.key(MailAddress.parse(login.strip())));
        } catch (IllegalArgumentException | NullPointerException e) {
            // an unknown login: no account
        }
        return Optional.ofNullable(entry).filter(AccountEntry::enabled);
    }

    /** Its own address, its aliases, and their +tag forms, also in a secure alias domain. */
    boolean mayUseAddress(Account account, MailAddress address) {
        String me = DirectoryKeys.key(account.address());
        if (!s.accounts().containsKey(me)) return false;
        String local = address.normalizedLocalPart();
        String domain = baseDomain(address.domain());
        return owns(me, local + "@" + domain) || owns(me, DirectoryKeys.baseOf(local) + "@" + domain);
    }

    // ---- listings (the CLI) ----

    List<String> domains() {
        return List.copyOf(s.domains());
    }

    List<AccountInfo> accounts() {
        return s.accounts().values().stream().map(a -> new AccountInfo(a.address(), a.enabled(),
                Optional.ofNullable(s.secure().get(a.address())), a.receivesOnlyOverTls(), a.sendsOnlyAuthenticated())).toList();
    }

    Map<String, List<String>> aliases() {
        return new TreeMap<>(s.aliases());
    }

    Map<String, String> secureDomains() {
        Map<String, String> out = new LinkedHashMap<>();
        s.secureToBase().forEach((alias, base) -> out.put(base, alias));
        return new TreeMap<>(out);
    }

    Map<String, List<String>> secureAliasDomains() {
        Map<String, List<String>> out = new TreeMap<>();
        s.secureToBase().forEach((alias, base) -> out.computeIfAbsent(base, b -> new ArrayList<>()).add(alias));
        return out;
    }

    Map<String, Strictness> secureAddresses() {
        return new TreeMap<>(s.secure());
    }

    // ---- internals ----

    /** The local domain a secure alias domain stands for; any other domain unchanged. */
    private String baseDomain(String domain) {
        return s.secureToBase().getOrDefault(domain, domain);
    }

    /** Steps 1 and 2: the account itself, else the alias's targets that are accounts. */
    private List<MailAddress> direct(String local, String domain) {
        String k = local + "@" + domain;
        if (s.accounts().containsKey(k)) return List.of(MailAddress.parse(k));
        List<String> targets = s.aliases().get(k);
        if (targets == null) return List.of();
        return targets.stream().filter(s.accounts()::containsKey).distinct().map(MailAddress::parse).toList();
    }

    private List<MailAddress> postmaster() {
        Optional<String> first = s.domains().stream().findFirst();
        if (first.isPresent()) {
            List<MailAddress> p = direct("postmaster", first.get());
            if (!p.isEmpty()) return p;
        }
        return s.accounts().keySet().stream().findFirst().map(k -> List.of(MailAddress.parse(k))).orElse(List.of());
    }

    private boolean owns(String account, String address) {
        if (address.equals(account)) return true;
        List<String> targets = s.aliases().get(address);
        return targets != null && targets.contains(account);
    }
}
