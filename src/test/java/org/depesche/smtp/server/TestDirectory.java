package org.depesche.smtp.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.depesche.directory.Directory;
import org.depesche.mail.MailAddress;

/**
 * A small in-memory directory for the server tests: local domain
 * example.org, accounts with passwords, aliases, plus-addressing and
 * postmaster@. It counts password checks so a test can prove that AUTH
 * before TLS never looked at the password (THREATS T8).
 */
final class TestDirectory implements Directory {
    final AtomicInteger passwordChecks = new AtomicInteger();
    private final Set<String> domains = Set.of("example.org");
    private final Map<String, String> passwords = new HashMap<>();
    private final Map<String, List<String>> aliases = new HashMap<>();

    TestDirectory() {
        passwords.put("alice@example.org", "alice-secret");
        passwords.put("bob@example.org", "bob-secret");
        aliases.put("sales@example.org", List.of("alice@example.org", "bob@example.org"));
        aliases.put("postmaster@example.org", List.of("alice@example.org"));
    }

    void addAccount(String address, String password) {
        passwords.put(address, password);
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    @Override
    public List<MailAddress> resolve(MailAddress address) {
        String key = canonical(address);
        if (passwords.containsKey(key)) return List.of(MailAddress.parse(key));
        List<MailAddress> out = new ArrayList<>();
        for (String target : aliases.getOrDefault(key, List.of())) out.add(MailAddress.parse(target));
        return out;
    }

    @Override
    public Optional<MailAddress> postmasterAddress() {
        return Optional.of(MailAddress.parse("postmaster@example.org"));
    }

    @Override
    public Optional<Account> authenticate(String login, char[] password) {
        passwordChecks.incrementAndGet();
        String expected = passwords.get(login.toLowerCase(Locale.ROOT));
        if (expected != null && Arrays.equals(expected.toCharArray(), password)) {
            return Optional.of(new Account(MailAddress.parse(login.toLowerCase(Locale.ROOT))));
        }
        return Optional.empty();
    }

    @Override
    public boolean mayUseAddress(Account account, MailAddress address) {
        String key = canonical(address);
        String own = account.address().toString();
        return key.equals(own) || aliases.getOrDefault(key, List.of()).contains(own);
    }

    /** Lower-cased, with a +tag removed (RFC 5233 style subaddress). */
    private static String canonical(MailAddress a) {
        String local = a.normalizedLocalPart();
        int plus = local.indexOf('+');
        if (plus > 0) local = local.substring(0, plus);
        return local + "@" + a.domain();
    }
}
