package org.depesche.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.depesche.config.Config;
import org.depesche.config.HostPort;
import org.depesche.config.Limits;

class ConfigLoaderTest extends TomlFileTest {
    private Config load(String toml) throws Exception {
        return ConfigLoader.load(write(toml));
    }

    private void assertError(String toml, String expected) throws Exception {
        Path file = write(toml);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + expected);
    }

    @Test
    void anEmptyFileGivesTheDefaultsWithTheLoopbackListenersAndPathsBesideTheFile() throws Exception {
        Config c = load("");
        assertThat(c.hostname()).isEqualTo("localhost");
        assertThat(c.listen().smtp()).isEqualTo(new HostPort("127.0.0.1", 2525));
        assertThat(c.listen().submission()).isEqualTo(new HostPort("127.0.0.1", 2587));
        assertThat(c.listen().submissions()).isEqualTo(new HostPort("127.0.0.1", 2465));
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.tls().certificate()).isEqualTo(dir.resolve("tls/cert.pem"));
        assertThat(c.tls().key()).isEqualTo(dir.resolve("tls/key.pem"));
        assertThat(c.limits()).isEqualTo(Limits.defaults());
        assertThat(c.queue()).isEqualTo(Config.defaults().queue());
    }

    @Test
    void everySectionIsReadWithSnakeCaseKeysDurationsAndSizes() throws Exception {
        Config c = load("""
                hostname = "mx.example.org"
                data_dir = "/var/lib/depesche"

                [listen]
                smtp = "0.0.0.0:25"
                submission = "[::1]:587"
                submissions = ""

                [tls]
                certificate = "/etc/letsencrypt/live/mx/fullchain.pem"
                key = "keys/privkey.pem"
                reload_interval = "1m"

                [limits]
                max_connections = 50
                max_connections_per_ip = 5
                command_timeout = 300
                data_timeout = "1h30m"
                max_message_size = "25M"
                min_free_disk = 1073741824

                [submission]
                received_client_ip = true

                [queue]
                min_backoff = "30s"
                max_backoff = "2h"
                max_lifetime = "5d"
                workers = 4
                destination_concurrency = 3

                [log]
                level = "debug"
                transcripts = true
                """);
        assertThat(c.hostname()).isEqualTo("mx.example.org");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/depesche"));
        assertThat(c.listen().smtp()).isEqualTo(new HostPort("0.0.0.0", 25));
        assertThat(c.listen().submission()).isEqualTo(new HostPort("::1", 587));
        assertThat(c.listen().submissions()).isNull();
        assertThat(c.listeners()).hasSize(2);
        assertThat(c.tls().certificate()).isEqualTo(Path.of("/etc/letsencrypt/live/mx/fullchain.pem"));
        assertThat(c.tls().key()).isEqualTo(dir.resolve("keys/privkey.pem"));
        assertThat(c.tls().reloadInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.limits().maxConnections()).isEqualTo(50);
        assertThat(c.limits().maxConnectionsPerIp()).isEqualTo(5);
        assertThat(c.limits().commandTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.limits().dataTimeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(c.limits().maxMessageSize()).isEqualTo(25L * 1024 * 1024);
        assertThat(c.limits().minFreeDisk()).isEqualTo(1L << 30);
        assertThat(c.limits().maxRecipients()).isEqualTo(100);
        assertThat(c.submission().receivedClientIp()).isTrue();
        assertThat(c.queue()).isEqualTo(new Config.Queue(Duration.ofSeconds(30), Duration.ofHours(2), Duration.ofDays(5), 4, 3));
        assertThat(c.log()).isEqualTo(new Config.Log("debug", true));
    }

    @Test
    void aMisspelledKeyIsAnErrorNamingItsLineAndSuggestingTheRightOne() throws Exception {
        assertError("""
                hostname = "mx.example.org"

                [limits]
                max_connections = 10
                max_conections_per_ip = 3
                """, ":5: unknown key 'max_conections_per_ip' in [limits] (did you mean 'max_connections_per_ip'?)");
    }

    @Test
    void anUnknownSectionIsAnError() throws Exception {
        assertError("""
                [limit]
                max_connections = 10
                """, ":1: unknown key 'limit' (did you mean 'limits'?)");
    }

    @Test
    void aValueOfTheWrongTypeIsAnErrorSayingWhatWasExpected() throws Exception {
        assertError("""
                [limits]
                max_connections = "many"
                """, ":2: key 'max_connections' in [limits]: expected an integer");
        assertError("""
                [queue]

                workers = 2.5
                """, ":3: key 'workers' in [queue]: expected an integer");
        assertError("""
                [submission]
                received_client_ip = "yes"
                """, ":2: key 'received_client_ip' in [submission]: expected true or false");
    }

    @Test
    void badDurationsSizesAndAddressesAreExplained() throws Exception {
        assertError("""
                [limits]
                command_timeout = "5 minutes"
                """, ":2: key 'command_timeout' in [limits]: expected a duration like \"30s\", \"5m\", \"1h\" or \"5d\", got \"5 minutes\"");
        assertError("""
                [limits]
                max_message_size = "lots"
                """, ":2: key 'max_message_size' in [limits]: expected a size in bytes or like \"50M\", \"1G\", got \"lots\"");
        assertError("""
                [listen]
                smtp = "localhost"
                """, ":2: key 'smtp' in [listen]: expected host:port, got \"localhost\"");
        assertError("""
                [listen]
                smtp = "127.0.0.1:99999"
                """, ":2: key 'smtp' in [listen]: port out of range in \"127.0.0.1:99999\"");
    }

    @Test
    void aTomlSyntaxErrorNamesItsLine() throws Exception {
        Path file = write("hostname = \"a\"\n[limits\nmax_connections = 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":2: TOML syntax error: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void valuesThatMakeNoSenseAreRefused() throws Exception {
        assertError("""
                [listen]
                smtp = ""
                submission = ""
                submissions = ""
                """, ":1: no listener is enabled; set at least one of smtp, submission, submissions in [listen]");
        assertError("""
                [listen]
                smtp = "127.0.0.1:2525"
                submission = "127.0.0.1:2525"
                """, ":3: submission and smtp both listen on 127.0.0.1:2525");
        assertError("hostname = \"mx..example.org\"\n", ":1: hostname 'mx..example.org' is not a valid host name");
        assertError("""
                [limits]
                max_recipients = 0
                """, ":2: max_recipients must be at least 1, not 0");
        assertError("""
                [limits]
                max_command_line = 100
                """, ":2: max_command_line must be at least 512, not 100");
        assertError("""
                [queue]
                destination_concurrency = 0
                """, ":2: destination_concurrency must be at least 1, not 0");
        assertError("""
                [limits]
                data_timeout = "0s"
                """, ":2: data_timeout must be longer than zero");
        assertError("""
                [log]
                level = "verbose"
                """, ":2: level must be one of error, warn, info, debug, trace, not 'verbose'");
    }

    /**
     * Finding 7 of issue 8 (THREATS T14): with workers = 16 and
     * destination_concurrency = 20 one tarpitting domain took every worker.
     */
    @Test
    void aDestinationLimitNotBelowTheWorkersIsRefusedWithItsLineAndWhatToDo() throws Exception {
        assertError("""
                [queue]
                workers = 16
                destination_concurrency = 20
                """, ":3: destination_concurrency (20) must be below workers (16), or one slow or tarpitting domain"
                + " can take every delivery worker; lower destination_concurrency (the default is half of workers)"
                + " or raise workers");
        assertError("""
                [queue]
                workers = 4
                destination_concurrency = 4
                """, ":3: destination_concurrency (4) must be below workers (4), or one slow or tarpitting domain"
                + " can take every delivery worker; lower destination_concurrency (the default is half of workers)"
                + " or raise workers");
        assertError("""
                [queue]

                workers = 1
                """, ":3: workers must be at least 2, not 1: with one, a single slow or tarpitting domain holds up"
                + " mail to every other");
    }

    @Test
    void theDestinationLimitDefaultsToHalfTheWorkers() throws Exception {
        assertThat(load("").queue().workers()).isEqualTo(16);
        assertThat(load("").queue().destinationConcurrency()).isEqualTo(8);
        assertThat(load("[queue]\nworkers = 5\n").queue().destinationConcurrency()).isEqualTo(2);
    }

    @Test
    void theSlowClientLimitsDefaultAsPostfixAndAreReadAndCheckedWithTheirLine() throws Exception {
        Limits defaults = load("").limits();
        assertThat(defaults.junkCommandLimit()).isEqualTo(100);
        assertThat(defaults.minDataRate()).isEqualTo(500);
        assertThat(defaults.maxSessionTime()).isEqualTo(Duration.ofMinutes(30));
        Limits set = load("""
                [limits]
                junk_command_limit = 20
                min_data_rate = 0
                max_session_time = "2h"
                """).limits();
        assertThat(set.junkCommandLimit()).isEqualTo(20);
        assertThat(set.minDataRate()).isZero(); // no minimum rate, only the per-read data timeout
        assertThat(set.maxSessionTime()).isEqualTo(Duration.ofHours(2));
        assertError("[limits]\njunk_command_limit = 0\n", ":2: junk_command_limit must be at least 1, not 0");
        assertError("[limits]\n\nmin_data_rate = -1\n", ":3: min_data_rate must be at least 0, not -1");
        assertError("[limits]\nmax_session_time = \"0s\"\n", ":2: max_session_time must be longer than zero");
    }

    @Test
    void numbersAreNotTakenForStringsAndPathsMustNotBeEmpty() throws Exception {
        assertError("hostname = 5\n", ":1: key 'hostname': expected a string");
        assertError("data_dir = \"\"\n", ":1: key 'data_dir': expected a path, got an empty string");
        assertError("listen = 5\n", ":1: 'listen' must be a table: [listen]");
    }

    @Test
    void theLogLevelMayBeWrittenInAnyCase() throws Exception {
        assertThat(load("[log]\nlevel = \"DEBUG\"\n").log().level()).isEqualTo("DEBUG");
    }

    @Test
    void aMissingFileIsOneLine() {
        Path missing = dir.resolve("nope.toml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).hasMessage(missing + ": file not found");
    }

    @Test
    void durationsAndSizesParseAndFormatBothWays() {
        assertThat(ConfigValues.parseDuration("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(ConfigValues.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ConfigValues.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigValues.formatDuration(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(ConfigValues.formatDuration(Duration.ofDays(5))).isEqualTo("5d");
        assertThat(ConfigValues.parseSize("50MB")).isEqualTo(50L << 20);
        assertThat(ConfigValues.parseSize("1g")).isEqualTo(1L << 30);
        assertThat(ConfigValues.parseSize("512KiB")).isEqualTo(512L << 10);
        assertThat(ConfigValues.formatSize(100L << 20)).isEqualTo("100M");
        assertThat(ConfigValues.formatSize(1000)).isEqualTo("1000");
    }
}
