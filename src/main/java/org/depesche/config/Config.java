package org.depesche.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, as read from one TOML file by {@link ConfigLoader}.
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
        @Doc("Queue and local delivery.")
        Queue queue,
        @Doc("Logging.")
        Log log,
        @Doc("DNS lookups for outbound delivery and their DNSSEC validation.")
        Dns dns) {

    public Config {
        if (hostname == null || hostname.isBlank()) hostname = "localhost";
        if (dataDir == null) dataDir = Path.of("data");
        if (listen == null) listen = new Listen(null, null, null);
        if (tls == null) tls = new Tls(null, null, null);
        if (limits == null) limits = Limits.defaults();
        if (submission == null) submission = new Submission(null);
        if (queue == null) queue = new Queue(null, null, null, null);
        if (log == null) log = new Log(null, null);
        if (dns == null) dns = new Dns(null, null, null, null);
    }

    /** The configuration without a [dns] section. */
    public Config(String hostname, Path dataDir, Listen listen, Tls tls, Limits limits, Submission submission,
                  Queue queue, Log log) {
        this(hostname, dataDir, listen, tls, limits, submission, queue, log, null);
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

    @Doc("Queue and retry schedule for local delivery.")
    public record Queue(
            @Doc("First retry delay after a failed delivery attempt; it doubles with each further failure.")
            Duration minBackoff,
            @Doc("Longest delay between two attempts.")
            Duration maxBackoff,
            @Doc("How long a message may stay in the queue before it is given up.")
            Duration maxLifetime,
            @Doc("Number of concurrent delivery workers.")
            Integer workers) {
        public Queue {
            if (minBackoff == null) minBackoff = Duration.ofMinutes(1);
            if (maxBackoff == null) maxBackoff = Duration.ofHours(1);
            if (maxLifetime == null) maxLifetime = Duration.ofDays(5);
            if (workers == null) workers = 16;
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

    /** Everything that would be configured by a file that does not mention a key. */
    public static Config defaults() {
        return new Config(null, null, null, null, null, null, null, null, null);
    }

    /** Listener addresses in use (null entries are disabled listeners). */
    public List<HostPort> listeners() {
        return java.util.stream.Stream.of(listen.smtp(), listen.submission(), listen.submissions())
                .filter(java.util.Objects::nonNull).toList();
    }
}
