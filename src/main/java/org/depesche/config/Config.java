package org.depesche.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, as read from one TOML file by
 * {@code org.depesche.configfile.ConfigLoader}.
 * Relative paths are resolved against the directory of the config file by
 * the loader, so every Path here is absolute. Every component carries a
 * {@link Doc}; defaults live in the compact constructors, so a missing key
 * means the default.
 */
@Doc("Top-level settings.")
public record Config(
        @Doc("Host name of this server: used in the SMTP greeting, in EHLO replies and in Received headers. Should be the name the MX record points at.")
        String hostname,
        @Doc("Directory for the queue, the mailboxes and the account directory. Relative to the config file.")
        Path dataDir,
        @Doc("Listening sockets.")
        Listen listen,
        @Doc("TLS certificate and key.")
        Tls tls,
        @Doc("Limits on what a peer may do.")
        Limits limits,
        @Doc("Submission (ports 587 and 465) behaviour.")
        Submission submission,
        @Doc("Queue and delivery retries.")
        Queue queue,
        @Doc("Logging.")
        Log log,
        @Doc("DNS lookups for outbound delivery and their DNSSEC validation.")
        Dns dns,
        @Doc("Outbound delivery to other domains' MX hosts: TLS policy and SMTP client settings.")
        Delivery delivery,
        @Doc("The MTA-STS policy this server publishes for its domains (RFC 8461).")
        MtaSts mtaSts,
        @Doc("Secure alias domains, secure addresses and secure accounts set in this file.")
        Secure secure) {

    public Config {
        if (hostname == null || hostname.isBlank()) hostname = "localhost";
        if (dataDir == null) dataDir = Path.of("data");
        if (listen == null) listen = new Listen(null, null, null);
        if (tls == null) tls = new Tls(null, null, null);
        if (limits == null) limits = Limits.defaults();
        if (submission == null) submission = new Submission(null);
        if (queue == null) queue = new Queue(null, null, null, null, null);
        if (log == null) log = new Log(null, null);
        if (dns == null) dns = new Dns(null, null, null, null);
        if (delivery == null) delivery = new Delivery(null, null, null, null, null, null, null, null, null);
        if (mtaSts == null) mtaSts = new MtaSts(null, null, null, null);
        if (secure == null) secure = new Secure(null, null, null);
    }

    @Doc("Listening sockets. Each is \"address:port\"; an empty string disables that listener.")
    public record Listen(
            @Doc("MX listener (SMTP, RFC 5321) with STARTTLS: receives mail for local domains from other servers. The standard port is 25.")
            HostPort smtp,
            @Doc("Submission listener (RFC 6409) with STARTTLS and AUTH for your users' mail clients. The standard port is 587.")
            HostPort submission,
            @Doc("Submission over implicit TLS (RFC 8314). The standard port is 465.")
            HostPort submissions) {
        public static final HostPort DEFAULT_SMTP = new HostPort("127.0.0.1", 2525);
        public static final HostPort DEFAULT_SUBMISSION = new HostPort("127.0.0.1", 2587);
        public static final HostPort DEFAULT_SUBMISSIONS = new HostPort("127.0.0.1", 2465);
    }

    @Doc("TLS certificate and key (PEM). Both files are re-read when they change; open connections keep the old certificate.")
    public record Tls(
            @Doc("Certificate chain in PEM, leaf first. Relative to the config file.")
            Path certificate,
            @Doc("Private key in PEM (PKCS#8, or PKCS#1/SEC1 as OpenSSL writes them). Relative to the config file.")
            Path key,
            @Doc("How often the files are checked for changes.")
            Duration reloadInterval) {
        public Tls {
            if (certificate == null) certificate = Path.of("tls/cert.pem");
            if (key == null) key = Path.of("tls/key.pem");
            if (reloadInterval == null) reloadInterval = Duration.ofSeconds(10);
        }
    }

    @Doc("Submission behaviour.")
    public record Submission(
            @Doc("Put the submitting client's IP address into the Received header. Off by default so that a user's location does not travel with their mail (THREATS T9).")
            Boolean receivedClientIp) {
        public Submission {
            if (receivedClientIp == null) receivedClientIp = false;
        }
    }

    @Doc("Queue and retry schedule for local and remote delivery (like Postfix: first retry after 5 minutes, then doubling up to an hour, giving up after 5 days).")
    public record Queue(
            @Doc("First retry delay after a failed delivery attempt; it doubles with each further failure.")
            Duration minBackoff,
            @Doc("Longest delay between two attempts.")
            Duration maxBackoff,
            @Doc("How long a message may stay in the queue before it is given up.")
            Duration maxLifetime,
            @Doc("Number of concurrent deliveries to other servers, at least 2. Deliveries to local mailboxes have as many workers of their own and never wait for these.")
            Integer workers,
            @Doc("Most deliveries to one destination domain at once, below workers (the default is half of workers), so that a slow or tarpitting receiver cannot occupy every worker while mail to other domains waits. Messages over the limit wait for a free slot without counting as a failed attempt. Local mailboxes are not limited by it.")
            Integer destinationConcurrency) {
        public Queue {
            if (minBackoff == null) minBackoff = Duration.ofMinutes(5); // Postfix minimal_backoff_time 300s
            if (maxBackoff == null) maxBackoff = Duration.ofHours(1);
            if (maxLifetime == null) maxLifetime = Duration.ofDays(5);
            if (workers == null) workers = 16;
            // Below workers, or one tarpit takes them all (THREATS T14); Postfix's 20 assumes 100 smtp processes.
            if (destinationConcurrency == null) destinationConcurrency = Math.max(1, workers / 2);
        }

        /** Settings with the default destination concurrency. */
        public Queue(Duration minBackoff, Duration maxBackoff, Duration maxLifetime, Integer workers) {
            this(minBackoff, maxBackoff, maxLifetime, workers, null);
        }
    }

    @Doc("Logging.")
    public record Log(
            @Doc("Log level: error, warn, info, debug or trace.")
            String level,
            @Doc("Log every SMTP command and reply (AUTH data redacted) on the logger \"transcript\".")
            Boolean transcripts) {
        public Log {
            if (level == null) level = "info";
            if (transcripts == null) transcripts = false;
        }
    }

    @Doc("DNS lookups (MX, addresses, TLSA) for outbound delivery. Every answer carries its DNSSEC status; DANE relies on it.")
    public record Dns(
            @Doc("\"validate\": validate DNSSEC in this process from the trust anchor, asking the servers with DO and CD set. \"trust-ad\": trust the AD bit of a validating resolver, which must then listen on a loopback address.")
            String mode,
            @Doc("DNS servers to ask, each an IP address with an optional port: \"192.0.2.53\", \"127.0.0.1:5353\", \"[::1]:53\". Empty: the nameservers of /etc/resolv.conf.")
            List<String> servers,
            @Doc("File with the DNSSEC trust anchor: DS or DNSKEY records of the root (or of a private root) in zone file format. Empty: the IANA root KSK-2017 and KSK-2024, built in. Relative to the config file.")
            Path trustAnchor,
            @Doc("Time to wait for an answer from one server.")
            Duration timeout) {
        public static final String VALIDATE = "validate";
        public static final String TRUST_AD = "trust-ad";

        public Dns {
            if (mode == null) mode = VALIDATE;
            servers = servers == null ? List.of() : List.copyOf(servers);
            if (timeout == null) timeout = Duration.ofSeconds(5);
        }
    }

    @Doc("Outbound delivery (RFC 5321 5, RFC 7672). Retries follow [queue]: min_backoff, max_backoff and max_lifetime.")
    public record Delivery(
            @Doc("TLS security level for domains without an entry in the policy table: none, may (opportunistic TLS), encrypt (TLS required, unauthenticated), dane (DANE where the domain publishes secure TLSA records, else may; RFC 7672), dane-only, verify (PKIX and the MX host name).")
            String defaultTlsLevel,
            @Doc("TCP port of the MX hosts to connect to. 25 on the Internet; tests and labs may use another.")
            Integer smtpPort,
            @Doc("Name sent in EHLO. Empty: the hostname setting.")
            String heloName,
            @Doc("Time to wait for a TCP connection to an MX address.")
            Duration connectTimeout,
            @Doc("Time to wait for the greeting and for each reply to a command (RFC 5321 4.5.3.2 asks for 5 minutes).")
            Duration commandTimeout,
            @Doc("Time to wait for each block of message data to be taken and for the reply after the final dot (RFC 5321 4.5.3.2: 3 and 10 minutes).")
            Duration dataTimeout,
            @Doc("Tell the sender once that a message is delayed when it is still not delivered after this long.")
            Duration delayNoticeAfter,
            @Doc("Per-domain TLS levels, like Postfix's smtp_tls_policy_maps: one [[delivery.policy]] table each with domain = \"example.org\", level = \"verify\" and optionally pins = [\"<SHA-256 of the certificate or its public key, hex>\", ...] (pins replace PKIX for verify).")
            List<Policy> policy,
            @Doc("Honour the header TLS-Required: No (RFC 8689 4.2.2) in messages that demand nothing else: DANE, MTA-STS and the downgrade memory then do not stop that message, TLS is still tried, and [[delivery.policy]] entries still apply. false: such messages are delivered like any other.")
            Boolean honorTlsRequiredNo) {
        public Delivery {
            if (defaultTlsLevel == null) defaultTlsLevel = "dane";
            if (smtpPort == null) smtpPort = 25;
            if (heloName == null) heloName = "";
            if (connectTimeout == null) connectTimeout = Duration.ofSeconds(30);
            if (commandTimeout == null) commandTimeout = Duration.ofMinutes(5);
            if (dataTimeout == null) dataTimeout = Duration.ofMinutes(10);
            if (delayNoticeAfter == null) delayNoticeAfter = Duration.ofHours(4);
            policy = policy == null ? List.of() : List.copyOf(policy);
            if (honorTlsRequiredNo == null) honorTlsRequiredNo = true;
        }

        /** Without the honor_tls_required_no setting (default true). */
        public Delivery(String defaultTlsLevel, Integer smtpPort, String heloName, Duration connectTimeout,
                        Duration commandTimeout, Duration dataTimeout, Duration delayNoticeAfter, List<Policy> policy) {
            this(defaultTlsLevel, smtpPort, heloName, connectTimeout, commandTimeout, dataTimeout, delayNoticeAfter,
                    policy, null);
        }
    }

    @Doc("One entry of the static TLS policy table.")
    public record Policy(
            @Doc("Destination domain (the part after @), exactly; no wildcards.")
            String domain,
            @Doc("TLS level for this domain: none, may, encrypt, dane, dane-only, verify.")
            String level,
            @Doc("SHA-256 fingerprints (hex, colons allowed) of the server certificate or of its public key; with level verify they replace the PKIX check.")
            List<String> pins) {
        public Policy {
            pins = pins == null ? List.of() : List.copyOf(pins);
        }
    }

    @Doc("MTA-STS (RFC 8461) for this server's own domains: an HTTPS listener answers https://mta-sts.<domain>/.well-known/mta-sts.txt for every local domain with one policy built from these keys, using the [tls] certificate, which must then also name mta-sts.<domain> and be valid under the public CAs (RFC 8461 3.3): the self-signed quickstart certificate will not do. Publish the TXT record that `depesche dns records DOMAIN` prints; its id changes whenever the policy does.")
    public record MtaSts(
            @Doc("HTTPS listener \"address:port\" for the policy; the standard port is 443. Empty: no policy is served.")
            String listen,
            @Doc("Policy mode: enforce (senders must use TLS with a valid certificate to a listed MX), testing (they only report failures) or none.")
            String mode,
            @Doc("MX host names the policy lists, e.g. [\"mx.example.org\", \"*.example.org\"] (a leading *. stands for one label). Empty: the hostname setting.")
            List<String> mx,
            @Doc("How long senders may cache the policy (max_age), at most 31557600 seconds (about a year).")
            Duration maxAge) {
        public MtaSts {
            if (listen == null) listen = "";
            if (mode == null) mode = "testing";
            mx = mx == null ? List.of() : List.copyOf(mx);
            if (maxAge == null) maxAge = Duration.ofDays(7);
        }
    }

    @Doc("Secure addresses (THREATS T2b) set in this file; they count alongside those set with `depesche domain secure`, `user secure` and `alias add --secure` (kept in directory.json), and where both name the same address the stricter wins. The CLI lists them but cannot remove them: edit this file and restart.")
    public record Secure(
            @Doc("Secure alias domains: one [[secure.domain]] table each with domain = \"example.org\" (a local domain) and alias = \"secure.example.org\". user@alias reaches the mailbox of user@domain, but only over TLS; publish an MX record for the alias too.")
            List<SecureDomain> domain,
            @Doc("Secure addresses: one [[secure.address]] table each with address = \"alice@example.org\" (an account or alias; alice+tag@ is covered too) and strictness = \"verify\" (the default: mail from it leaves only over authenticated TLS) or \"encrypt\" (any TLS will do). Mail to it is accepted only over TLS.")
            List<SecureAddress> address,
            @Doc("Secure accounts: one [[secure.account]] table each with address = \"bob@example.org\" (an account), receive_tls_only (mail to any of its addresses only over TLS) and send_authenticated_only (its mail leaves only over authenticated TLS), both true unless set to false.")
            List<SecureAccount> account) {
        public Secure {
            domain = domain == null ? List.of() : List.copyOf(domain);
            address = address == null ? List.of() : List.copyOf(address);
            account = account == null ? List.of() : List.copyOf(account);
        }
    }

    @Doc("A secure alias domain.")
    public record SecureDomain(
            @Doc("The local domain, e.g. \"example.org\".")
            String domain,
            @Doc("Its secure alias domain, e.g. \"secure.example.org\"; a name of its own, not a local domain.")
            String alias) {
    }

    @Doc("A secure address.")
    public record SecureAddress(
            @Doc("An account or alias address in a local domain.")
            String address,
            @Doc("encrypt or verify.")
            String strictness) {
        public SecureAddress {
            if (strictness == null) strictness = "verify";
        }
    }

    @Doc("A secure account.")
    public record SecureAccount(
            @Doc("The account's address (its login).")
            String address,
            @Doc("Mail to any of the account's addresses is accepted only over TLS.")
            Boolean receiveTlsOnly,
            @Doc("Mail the account submits leaves only over authenticated TLS.")
            Boolean sendAuthenticatedOnly) {
        public SecureAccount {
            if (receiveTlsOnly == null) receiveTlsOnly = true;
            if (sendAuthenticatedOnly == null) sendAuthenticatedOnly = true;
        }
    }

    /** The MX patterns the served MTA-STS policy lists: [mta_sts] mx, else the hostname. */
    public List<String> mtaStsMx() {
        return mtaSts.mx().isEmpty() ? List.of(hostname) : mtaSts.mx();
    }

    /** The name this server gives in EHLO: helo_name, else hostname. */
    public String heloName() {
        return delivery.heloName().isBlank() ? hostname : delivery.heloName();
    }

    /** Everything that would be configured by a file that does not mention a key. */
    public static Config defaults() {
        return builder().build();
    }

    /** A configuration built by naming its parts; what is not named has its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration, to change some of its parts. */
    public Builder toBuilder() {
        return builder().hostname(hostname).dataDir(dataDir).listen(listen).tls(tls).limits(limits)
                .submission(submission).queue(queue).log(log).dns(dns).delivery(delivery).mtaSts(mtaSts)
                .secure(secure);
    }

    /** Names each part, so that tests and quickstart need no positional list of twelve. */
    public static final class Builder {
        private String hostname;
        private Path dataDir;
        private Listen listen;
        private Tls tls;
        private Limits limits;
        private Submission submission;
        private Queue queue;
        private Log log;
        private Dns dns;
        private Delivery delivery;
        private MtaSts mtaSts;
        private Secure secure;

        private Builder() {
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder listen(Listen listen) {
            this.listen = listen;
            return this;
        }

        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder submission(Submission submission) {
            this.submission = submission;
            return this;
        }

        public Builder queue(Queue queue) {
            this.queue = queue;
            return this;
        }

        public Builder log(Log log) {
            this.log = log;
            return this;
        }

        public Builder dns(Dns dns) {
            this.dns = dns;
            return this;
        }

        public Builder delivery(Delivery delivery) {
            this.delivery = delivery;
            return this;
        }

        public Builder mtaSts(MtaSts mtaSts) {
            this.mtaSts = mtaSts;
            return this;
        }

        public Builder secure(Secure secure) {
            this.secure = secure;
            return this;
        }

        public Config build() {
            return new Config(hostname, dataDir, listen, tls, limits, submission, queue, log, dns, delivery, mtaSts,
                    secure);
        }
    }

    /** Listener addresses in use (null entries are disabled listeners). */
    public List<HostPort> listeners() {
        return java.util.stream.Stream.of(listen.smtp(), listen.submission(), listen.submissions())
                .filter(java.util.Objects::nonNull).toList();
    }
}
