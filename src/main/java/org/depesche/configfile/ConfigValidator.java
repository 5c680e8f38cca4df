package org.depesche.configfile;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.depesche.config.Config;
import org.depesche.config.DnsServerAddress;
import org.depesche.config.HostName;
import org.depesche.config.HostPort;
import org.depesche.config.Limits;
import org.depesche.directory.Directory;
import org.depesche.mail.DomainName;
import org.depesche.mail.InvalidDomainException;
import org.depesche.mail.MailAddress;
import org.depesche.mtasts.StsPolicy;
import org.depesche.policy.TlsLevel;

/**
 * Checks that go beyond types: a usable host name, at least one listener,
 * no two listeners on one address, limits that make sense. Each failure
 * names the key and its line.
 */
final class ConfigValidator {
    static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");

    private ConfigValidator() {
    }

    static void validate(Config c, ConfigLoader.KeyLocator at) throws ConfigException {
        if (!HostName.isValid(c.hostname()))
            throw at.error(List.of("hostname"), "hostname '" + c.hostname() + "' is not a valid host name");
        validateListeners(c.listen(), at);
        validateLimits(c.limits(), at);
        Config.Queue q = c.queue();
        positive(q.minBackoff(), List.of("queue", "min_backoff"), at);
        positive(q.maxBackoff(), List.of("queue", "max_backoff"), at);
        positive(q.maxLifetime(), List.of("queue", "max_lifetime"), at);
        validateConcurrency(q, at);
        if (q.maxBackoff().compareTo(q.minBackoff()) < 0)
            throw at.error(List.of("queue", "max_backoff"), "max_backoff is shorter than min_backoff");
        positive(c.tls().reloadInterval(), List.of("tls", "reload_interval"), at);
        if (!LOG_LEVELS.contains(c.log().level().toLowerCase(Locale.ROOT)))
            throw at.error(List.of("log", "level"), "level must be one of " + String.join(", ", LOG_LEVELS) + ", not '" + c.log().level() + "'");
        validateDns(c.dns(), at);
        validateDelivery(c.delivery(), at);
        validateMtaSts(c.mtaSts(), at);
        validateSecure(c.secure(), at);
    }

    /**
     * What can be checked without directory.json: names and strictness, no
     * duplicates, and no alias domain that this file names as a local domain
     * (the server checks it against directory.json when it starts).
     */
    private static void validateSecure(Config.Secure s, ConfigLoader.KeyLocator at) throws ConfigException {
        Set<String> localDomains = new HashSet<>();
        for (int i = 0; i < s.domain().size(); i++)
            localDomains.add(domainName(s.domain().get(i).domain(), "domain", "[[secure.domain]] needs domain = \"example.org\"",
                    entry("domain", i, "domain"), at));
        Set<String> aliases = new HashSet<>();
        for (int i = 0; i < s.domain().size(); i++) {
            Config.SecureDomain d = s.domain().get(i);
            String alias = domainName(d.alias(), "alias", "[[secure.domain]] for " + d.domain() + " needs alias = \"secure." + d.domain() + "\"",
                    entry("domain", i, "alias"), at);
            if (localDomains.contains(alias))
                throw at.error(entry("domain", i, "alias"), "alias '" + d.alias() + "' is a local domain ([[secure.domain]] domain); a secure alias domain must be a name of its own");
            if (!aliases.add(alias))
                throw at.error(entry("domain", i, "alias"), "alias '" + d.alias() + "' is named by two [[secure.domain]] entries");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < s.address().size(); i++) {
            Config.SecureAddress a = s.address().get(i);
            String key = address(a.address(), "[[secure.address]]", entry("address", i, "address"), at);
            if (!seen.add(key)) throw at.error(entry("address", i, "address"), "address '" + a.address() + "' has two [[secure.address]] entries");
            if (Directory.Strictness.parse(a.strictness()) == null)
                throw at.error(entry("address", i, "strictness"), "strictness must be \"encrypt\" or \"verify\", not '" + a.strictness() + "'");
        }
        seen.clear();
        for (int i = 0; i < s.account().size(); i++) {
            Config.SecureAccount a = s.account().get(i);
            String key = address(a.address(), "[[secure.account]]", entry("account", i, "address"), at);
            if (key.substring(0, key.lastIndexOf('@')).contains("+"))
                throw at.error(entry("account", i, "address"), "'" + a.address() + "' is a subaddress, not an account");
            if (!seen.add(key)) throw at.error(entry("account", i, "address"), "account '" + a.address() + "' has two [[secure.account]] entries");
            if (!a.receiveTlsOnly() && !a.sendAuthenticatedOnly())
                throw at.error(entry("account", i, "address"), "[[secure.account]] " + a.address()
                        + " turns both receive_tls_only and send_authenticated_only off, which leaves nothing secure; remove the entry");
        }
    }

    private static List<String> entry(String table, int index, String key) {
        return List.of("secure", table, "[" + index + "]", key);
    }

    /** The {@link DomainName} key of a configured domain, every spelling of which is one domain; else a "file:line:" error. */
    private static String domainName(String name, String key, String missing, List<String> where, ConfigLoader.KeyLocator at) throws ConfigException {
        if (name == null) throw at.error(where.subList(0, Math.min(3, where.size())), missing);
        try {
            return DomainName.key(name);
        } catch (InvalidDomainException e) {
            throw at.error(where, key + " '" + name + "' is not a valid domain name (" + e.reason() + ")");
        }
    }

    /** The address as the directory keys it (local part folded), or a "file:line:" error. */
    private static String address(String address, String table, List<String> where, ConfigLoader.KeyLocator at) throws ConfigException {
        if (address == null) throw at.error(where.subList(0, 3), table + " needs address = \"user@example.org\"");
        try {
            MailAddress a = MailAddress.parse(address.strip()); // the domain as its key
            return a.normalizedLocalPart() + "@" + a.domain();
        } catch (IllegalArgumentException e) {
            throw at.error(where, "address '" + address + "' is not a mail address (" + e.getMessage() + ")");
        }
    }

    private static void validateDns(Config.Dns dns, ConfigLoader.KeyLocator at) throws ConfigException {
        if (!dns.mode().equals(Config.Dns.VALIDATE) && !dns.mode().equals(Config.Dns.TRUST_AD))
            throw at.error(List.of("dns", "mode"), "mode must be \"validate\" or \"trust-ad\", not '" + dns.mode() + "'");
        positive(dns.timeout(), List.of("dns", "timeout"), at);
        for (String server : dns.servers()) {
            InetSocketAddress address;
            try {
                address = DnsServerAddress.parse(server);
            } catch (IllegalArgumentException e) {
                throw at.error(List.of("dns", "servers"), e.getMessage());
            }
            // RFC 4035 4.9.3: the AD bit is only worth trusting over a path nobody can tamper with
            if (dns.mode().equals(Config.Dns.TRUST_AD) && !address.getAddress().isLoopbackAddress())
                throw at.error(List.of("dns", "servers"), "mode \"trust-ad\" needs a validating resolver on a loopback address, and "
                        + server + " is not one; use mode \"validate\" for remote servers");
        }
    }

    private static void validateDelivery(Config.Delivery d, ConfigLoader.KeyLocator at) throws ConfigException {
        level(d.defaultTlsLevel(), List.of("delivery", "default_tls_level"), at);
        if (d.smtpPort() < 1 || d.smtpPort() > 65535)
            throw at.error(List.of("delivery", "smtp_port"), "smtp_port must be between 1 and 65535, not " + d.smtpPort());
        if (!d.heloName().isEmpty() && !HostName.isValid(d.heloName()))
            throw at.error(List.of("delivery", "helo_name"), "helo_name '" + d.heloName() + "' is not a valid host name");
        positive(d.connectTimeout(), List.of("delivery", "connect_timeout"), at);
        positive(d.commandTimeout(), List.of("delivery", "command_timeout"), at);
        positive(d.dataTimeout(), List.of("delivery", "data_timeout"), at);
        positive(d.delayNoticeAfter(), List.of("delivery", "delay_notice_after"), at);
        Set<String> domains = new HashSet<>();
        for (int i = 0; i < d.policy().size(); i++) {
            Config.Policy p = d.policy().get(i);
            // the entry's own domain line, so a second spelling of a domain is reported where it stands
            List<String> where = List.of("delivery", "policy", "[" + i + "]", "domain");
            // The engine looks entries up by the DomainName key: two spellings of one domain are one entry.
            String domain = domainName(p.domain(), "[[delivery.policy]] domain", "[[delivery.policy]] needs domain = \"a domain name\"", where, at);
            if (!domains.add(domain))
                throw at.error(where, "domain '" + p.domain() + "' has two [[delivery.policy]] entries");
            if (p.level() == null)
                throw at.error(where, "[[delivery.policy]] for " + p.domain() + " needs level = \"none|may|encrypt|dane|dane-only|verify\"");
            TlsLevel level = level(p.level(), where, at);
            if (!p.pins().isEmpty() && level != TlsLevel.VERIFY)
                throw at.error(where, "pins for " + p.domain() + " need level = \"verify\", not '" + p.level() + "'");
            for (String pin : p.pins()) {
                if (!pin.replace(":", "").strip().matches("(?i)[0-9a-f]{64}"))
                    throw at.error(where, "pin '" + pin + "' for " + p.domain() + " is not a SHA-256 fingerprint (64 hex digits)");
            }
        }
    }

    private static void validateMtaSts(Config.MtaSts m, ConfigLoader.KeyLocator at) throws ConfigException {
        if (!m.listen().isBlank()) {
            try {
                HostPort.parse(m.listen());
            } catch (IllegalArgumentException e) {
                throw at.error(List.of("mta_sts", "listen"), e.getMessage());
            }
        }
        if (!List.of("enforce", "testing", "none").contains(m.mode()))
            throw at.error(List.of("mta_sts", "mode"), "mode must be enforce, testing or none, not '" + m.mode() + "'");
        for (String p : m.mx()) {
            String name = p.startsWith("*.") ? p.substring(2) : p;
            if (!HostName.isValid(name))
                throw at.error(List.of("mta_sts", "mx"), "mx '" + p + "' is not a host name or *.domain pattern");
        }
        long age = m.maxAge().toSeconds();
        if (age < 1 || age > StsPolicy.MAX_AGE_LIMIT)
            throw at.error(List.of("mta_sts", "max_age"), "max_age must be between 1s and 31557600s, not " + age + "s");
    }

    private static TlsLevel level(String name, List<String> key, ConfigLoader.KeyLocator at) throws ConfigException {
        try {
            return TlsLevel.parse(name);
        } catch (IllegalArgumentException e) {
            throw at.error(key, e.getMessage());
        }
    }

    private static void validateListeners(Config.Listen listen, ConfigLoader.KeyLocator at) throws ConfigException {
        Map<String, String> seen = new HashMap<>();
        String[] names = {"smtp", "submission", "submissions"};
        HostPort[] values = {listen.smtp(), listen.submission(), listen.submissions()};
        boolean any = false;
        for (int i = 0; i < names.length; i++) {
            if (values[i] == null) continue;
            any = true;
            // Port 0 (any free port) stays allowed: tests and scripts read the bound address from the log.
            String other = values[i].port() == 0 ? null : seen.put(values[i].toString(), names[i]);
            if (other != null)
                throw at.error(List.of("listen", names[i]), names[i] + " and " + other + " both listen on " + values[i]);
        }
        if (!any) throw at.error(List.of("listen"), "no listener is enabled; set at least one of smtp, submission, submissions in [listen]");
    }

    /** THREATS T14: one slow or tarpitting destination must leave workers for the others. */
    private static void validateConcurrency(Config.Queue q, ConfigLoader.KeyLocator at) throws ConfigException {
        if (q.workers() < 2)
            throw at.error(List.of("queue", "workers"), "workers must be at least 2, not " + q.workers()
                    + ": with one, a single slow or tarpitting domain holds up mail to every other");
        atLeast(q.destinationConcurrency(), 1, List.of("queue", "destination_concurrency"), at);
        if (q.destinationConcurrency() >= q.workers())
            throw at.error(List.of("queue", "destination_concurrency"), "destination_concurrency (" + q.destinationConcurrency()
                    + ") must be below workers (" + q.workers() + "), or one slow or tarpitting domain can take every"
                    + " delivery worker; lower destination_concurrency (the default is half of workers) or raise workers");
    }

    private static void validateLimits(Limits l, ConfigLoader.KeyLocator at) throws ConfigException {
        atLeast(l.maxConnections(), 1, List.of("limits", "max_connections"), at);
        atLeast(l.maxConnectionsPerIp(), 1, List.of("limits", "max_connections_per_ip"), at);
        positive(l.commandTimeout(), List.of("limits", "command_timeout"), at);
        positive(l.dataTimeout(), List.of("limits", "data_timeout"), at);
        atLeast(l.maxCommandLine(), 512, List.of("limits", "max_command_line"), at); // RFC 5321 4.5.3.1.4
        atLeast(l.maxDataLine(), 1000, List.of("limits", "max_data_line"), at);       // RFC 5321 4.5.3.1.6
        if (l.maxMessageSize() < 1)
            throw at.error(List.of("limits", "max_message_size"), "max_message_size must be positive");
        atLeast(l.maxRecipients(), 1, List.of("limits", "max_recipients"), at);
        atLeast(l.maxErrors(), 1, List.of("limits", "max_errors"), at);
        atLeast(l.maxAuthFailures(), 1, List.of("limits", "max_auth_failures"), at);
        if (l.minFreeDisk() < 0)
            throw at.error(List.of("limits", "min_free_disk"), "min_free_disk must not be negative");
        atLeast(l.junkCommandLimit(), 1, List.of("limits", "junk_command_limit"), at);
        atLeast(l.minDataRate(), 0, List.of("limits", "min_data_rate"), at);
        positive(l.maxSessionTime(), List.of("limits", "max_session_time"), at);
    }

    private static void atLeast(int value, int min, List<String> key, ConfigLoader.KeyLocator at) throws ConfigException {
        if (value < min)
            throw at.error(key, key.get(key.size() - 1) + " must be at least " + min + ", not " + value);
    }

    private static void positive(Duration d, List<String> key, ConfigLoader.KeyLocator at) throws ConfigException {
        if (d.isNegative() || d.isZero())
            throw at.error(key, key.get(key.size() - 1) + " must be longer than zero");
    }
}
