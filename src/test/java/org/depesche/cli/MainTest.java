package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.depesche.config.Config;
import org.depesche.configfile.ConfigLoader;
import org.depesche.config.HostPort;
import org.depesche.directory.FileDirectory;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {
    private static final Pattern PASSWORD = Pattern.compile("Password for \\S+ \\(shown only this once\\): (\\S+)");

    @TempDir
    Path dir;

    /** One in-process run: exit code and what went to stdout and stderr. */
    record Run(int code, String out, String err) {
        String password() {
            Matcher m = PASSWORD.matcher(out);
            assertThat(m.find()).as("a password line in:\n" + out).isTrue();
            return m.group(1);
        }
    }

    private Run withStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err, Clock.systemUTC()).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run cli(String... args) {
        return withStdin("", args);
    }

    private String config() {
        return dir.resolve("depesche.toml").toString();
    }

    private Run quickstart() {
        Run r = cli("quickstart", "alice@example.test", "--dir", dir.toString(), "--hostname", "mx.example.test");
        assertThat(r.code()).as(r.err()).isZero();
        return r;
    }

    private FileDirectory directory() throws Exception {
        return new FileDirectory(dir.resolve("data/directory.json"));
    }

    private static void assertOneLineError(Run r, String expected) {
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(expected + System.lineSeparator());
    }

    @Test
    void helpListsTheCommandsButNotTheMaintainersOne() {
        Run r = cli("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("quickstart", "serve", "user", "alias", "domain", "check-config")
                .doesNotContain("config-docs");
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        for (String command : new String[] {"quickstart", "serve", "user", "user add", "user list", "user passwd", "user del",
                "alias", "alias add", "alias list", "alias del", "domain", "domain add", "domain list", "domain del",
                "user secure", "domain secure",
                "queue", "queue list", "check-config", "config-docs"}) {
            Run r = cli((command + " --help").split(" "));
            assertThat(r.code()).as(command).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: depesche " + command);
        }
    }

    @Test
    void quickstartWritesTheConfigTheCertificateAndAnAccountWhosePrintedPasswordWorks() throws Exception {
        Run r = quickstart();

        Config config = ConfigLoader.load(dir.resolve("depesche.toml"));
        assertThat(config.hostname()).isEqualTo("mx.example.test");
        assertThat(config.listen().smtp()).isEqualTo(new HostPort("127.0.0.1", 2525));
        assertThat(config.listen().submission()).isEqualTo(new HostPort("127.0.0.1", 2587));
        assertThat(config.listen().submissions()).isEqualTo(new HostPort("127.0.0.1", 2465));
        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(Files.readString(dir.resolve("tls/cert.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls/key.pem")))).isEqualTo("rw-------");

        FileDirectory directory = directory();
        assertThat(directory.domains()).containsExactly("example.test");
        assertThat(directory.authenticate("alice@example.test", r.password().toCharArray())).isPresent();
        assertThat(directory.resolve(MailAddress.parse("postmaster@example.test")))
                .containsExactly(MailAddress.parse("alice@example.test"));

        assertThat(r.out()).containsOnlyOnce("Password for alice@example.test")
                .contains("swaks --server 127.0.0.1:2587 --tls --auth-user alice@example.test --auth-password '"
                        + r.password() + "' --to alice@example.test --from alice@example.test")
                .contains("swaks --server 127.0.0.1:2525 --to alice@example.test");
        assertThat(r.err()).isEmpty();
        for (String sub : new String[] {"new", "cur", "tmp"})
            assertThat(dir.resolve("data/mail/example.test/alice").resolve(sub)).isDirectory();
    }

    @ParameterizedTest
    @ValueSource(strings = {"MX.B\u00FCcher.test.", "mx.b\u00FCcher\u3002test", "mx.xn--bcher-kva.test"})
    void quickstartWritesTheHostNameAsLowerCaseALabelsWhichTheCertificateNames(String spelled) throws Exception {
        // A certificate's dNSName is an IA5String of A-labels (RFC 5280 4.2.1.6), and the MX records that
        // name this host have them too; a U-label was written as typed, lower-cased, and an alternative dot refused.
        Run r = cli("quickstart", "alice@example.test", "--dir", dir.toString(), "--hostname", spelled);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(ConfigLoader.load(dir.resolve("depesche.toml")).hostname()).isEqualTo("mx.xn--bcher-kva.test");
        try (var in = Files.newInputStream(dir.resolve("tls/cert.pem"))) {
            var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
            assertThat(org.depesche.dane.CertificateNames.presentedNames(cert, false)).containsExactly("mx.xn--bcher-kva.test");
        }
    }

    @Test
    void quickstartRefusesToOverwriteAnExistingConfig() throws Exception {
        quickstart();
        String before = Files.readString(dir.resolve("depesche.toml"));
        Run again = cli("quickstart", "bob@example.test", "--dir", dir.toString());
        assertOneLineError(again, "depesche: " + dir.resolve("depesche.toml") + " already exists; not overwriting it (use another --dir, or edit it)");
        assertThat(Files.readString(dir.resolve("depesche.toml"))).isEqualTo(before);
    }

    @Test
    void aChangeSaysWhatItStoredNotTheSpellingTyped() throws Exception {
        quickstart();
        Run domain = cli("domain", "add", "Shop\u3002Example", "--config", config());
        Run user = withStdin("correct horse battery\n", "user", "add", "carol@shop\uFF0Eexample", "--password-stdin",
                "--config", config());

        assertThat(domain.out()).as(domain.err()).isEqualTo("added domain shop.example" + System.lineSeparator());
        assertThat(user.out()).as(user.err()).isEqualTo("added account carol@shop.example" + System.lineSeparator());
    }

    @Test
    void aUserAddedWithAPasswordFromStdinCanLogIn() throws Exception {
        quickstart();
        Run r = withStdin("correct horse battery\n", "user", "add", "bob@example.test", "--password-stdin", "--config", config());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("added account bob@example.test" + System.lineSeparator());
        assertThat(directory().authenticate("bob@example.test", "correct horse battery".toCharArray())).isPresent();
        assertThat(dir.resolve("data/mail/example.test/bob/new")).isDirectory();
        assertThat(cli("user", "list", "--config", config()).out()).contains("alice@example.test", "bob@example.test");
    }

    @Test
    void aUserAddedWithoutStdinGetsAGeneratedPasswordPrintedOnce() throws Exception {
        quickstart();
        Run r = cli("user", "add", "carol@example.test", "--config", config());
        assertThat(r.code()).isZero();
        assertThat(directory().authenticate("carol@example.test", r.password().toCharArray())).isPresent();
    }

    @Test
    void passwdReplacesThePasswordAndDelRemovesTheAccount() throws Exception {
        quickstart();
        assertThat(withStdin("new-secret\n", "user", "passwd", "alice@example.test", "--password-stdin", "--config", config()).code()).isZero();
        assertThat(directory().authenticate("alice@example.test", "new-secret".toCharArray())).isPresent();
        assertThat(cli("user", "del", "alice@example.test", "--config", config()).code()).isZero();
        assertThat(directory().accounts()).isEmpty();
    }

    @Test
    void anEmptyStdinIsRefusedRatherThanTakenAsAnEmptyPassword() throws Exception {
        quickstart();
        assertOneLineError(withStdin("", "user", "add", "bob@example.test", "--password-stdin", "--config", config()),
                "depesche: no password on stdin (--password-stdin reads its first line)");
    }

    @Test
    void aliasesAndDomainsAreAddedListedAndDeleted() throws Exception {
        quickstart();
        assertThat(cli("domain", "add", "example.net", "--config", config()).code()).isZero();
        assertThat(withStdin("pw\n", "user", "add", "dave@example.net", "--password-stdin", "--config", config()).code()).isZero();
        assertThat(cli("alias", "add", "team@example.test", "alice@example.test", "dave@example.net", "--config", config()).code()).isZero();
        assertThat(cli("alias", "list", "--config", config()).out())
                .contains("postmaster@example.test -> alice@example.test")
                .contains("team@example.test -> alice@example.test, dave@example.net");
        assertThat(cli("domain", "list", "--config", config()).out())
                .isEqualTo("example.test" + System.lineSeparator() + "example.net" + System.lineSeparator());

        assertOneLineError(cli("domain", "del", "example.net", "--config", config()),
                "depesche: domain example.net still has 1 account(s) and 0 alias(es); delete them first");
        assertThat(cli("alias", "del", "team@example.test", "--config", config()).code()).isZero();
        assertThat(cli("user", "del", "dave@example.net", "--config", config()).code()).isZero();
        assertThat(cli("domain", "del", "example.net", "--config", config()).code()).isZero();
        assertThat(directory().domains()).containsExactly("example.test");
    }

    @Test
    void secureDomainsAddressesAndAccountSwitchesAreSetAndListed() throws Exception {
        quickstart();
        String nl = System.lineSeparator();
        assertThat(cli("domain", "secure", "example.test", "secure.example.test", "--config", config()).code()).isZero();
        assertThat(cli("domain", "list", "--config", config()).out())
                .isEqualTo("example.test (secure alias domain: secure.example.test)" + nl);
        assertThat(cli("user", "secure", "alice@example.test", "--strictness", "encrypt", "--receive-tls-only",
                "--send-authenticated-only", "--config", config()).code()).isZero();
        assertThat(cli("user", "list", "--config", config()).out())
                .isEqualTo("alice@example.test (secure: encrypt, receive-tls-only, send-authenticated-only)" + nl);
        assertThat(cli("alias", "add", "team@example.test", "alice@example.test", "--secure", "--config", config()).code()).isZero();
        assertThat(cli("alias", "list", "--config", config()).out()).contains("team@example.test -> alice@example.test (secure: verify)");
        assertThat(directory().requiredTls(MailAddress.parse("alice@secure.example.test")).orElseThrow().label()).isEqualTo("encrypt");

        assertOneLineError(cli("user", "secure", "alice@example.test", "--strictness", "maybe", "--config", config()),
                "depesche: --strictness must be encrypt or verify, not \"maybe\"");
        assertOneLineError(cli("user", "secure", "team@example.test", "--receive-tls-only", "--config", config()),
                "depesche: --receive-tls-only and --send-authenticated-only need an account, and team@example.test is none");
        assertThat(cli("user", "secure", "alice@example.test", "--off", "--config", config()).code()).isZero();
        assertThat(cli("user", "list", "--config", config()).out()).isEqualTo("alice@example.test" + nl);
    }

    @Test
    void accountSwitchesFindTheAccountUnderAnySpellingOfItsAddress() throws Exception {
        quickstart();
        String nl = System.lineSeparator();
        assertThat(cli("domain", "add", "bücher.example", "--config", config()).code()).isZero();
        assertThat(cli("user", "add", "dora@bücher.example", "--config", config()).code()).isZero();
        assertThat(cli("user", "secure", "Dora@BÜCHER.example", "--receive-tls-only", "--config", config()).code()).isZero();
        assertThat(cli("user", "list", "--config", config()).out())
                .contains("dora@xn--bcher-kva.example (secure: verify, receive-tls-only)" + nl);
    }

    @Test
    void secureEntriesOfTheConfigAreListedButTheCliRefusesToRemoveThem() throws Exception {
        quickstart();
        java.nio.file.Files.writeString(dir.resolve("depesche.toml"), """

                [[secure.domain]]
                domain = "example.test"
                alias = "secure.example.test"

                [[secure.address]]
                address = "alice@example.test"
                strictness = "encrypt"
                """, java.nio.file.StandardOpenOption.APPEND);
        String nl = System.lineSeparator();
        assertThat(cli("domain", "list", "--config", config()).out())
                .isEqualTo("example.test (secure alias domain: secure.example.test, set in depesche.toml)" + nl);
        assertThat(cli("user", "list", "--config", config()).out())
                .isEqualTo("alice@example.test (secure: encrypt, set in depesche.toml)" + nl);
        assertThat(cli("user", "secure", "alice@example.test", "--strictness", "encrypt", "--config", config()).out())
                .isEqualTo("alice@example.test is secure (encrypt)" + nl);
        java.nio.file.Files.writeString(dir.resolve("depesche.toml"), java.nio.file.Files.readString(dir.resolve("depesche.toml"))
                .replace("strictness = \"encrypt\"", "strictness = \"verify\""));
        assertThat(cli("user", "secure", "alice@example.test", "--strictness", "encrypt", "--config", config()).out())
                .isEqualTo("alice@example.test is secure (encrypt); depesche.toml sets verify, which wins" + nl);
        assertOneLineError(cli("user", "secure", "alice@example.test", "--off", "--config", config()),
                "depesche: alice@example.test is made secure by [[secure.address]] in depesche.toml; remove it there and restart to change that");
    }

    @Test
    void aDirectoryErrorIsOneLineWithExitCode2() throws Exception {
        quickstart();
        assertOneLineError(withStdin("pw\n", "user", "add", "eve@elsewhere.test", "--password-stdin", "--config", config()),
                "depesche: domain elsewhere.test is not a local domain; add it first: depesche domain add elsewhere.test");
    }

    @Test
    void anUnknownFlagIsOneLineWithExitCode2() {
        Run r = cli("user", "list", "--bogus");
        assertOneLineError(r, "depesche: Unknown option: '--bogus' (see 'depesche user list --help')");
    }

    @Test
    void aMissingArgumentIsOneLineWithExitCode2() {
        Run r = cli("quickstart");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1).first().asString().startsWith("depesche: Missing required parameter: 'ADDRESS'");
    }

    @Test
    void aBadConfigFileIsOneLineNamingFileAndLineWithExitCode2() throws Exception {
        Path file = dir.resolve("depesche.toml");
        Files.writeString(file, "hostname = \"mx.example.test\"\n\n[limits]\nmax_conections = 5\n");
        assertOneLineError(cli("user", "list", "--config", file.toString()),
                file + ":4: unknown key 'max_conections' in [limits] (did you mean 'max_connections'?)");
        assertOneLineError(cli("serve", "--config", file.toString()),
                file + ":4: unknown key 'max_conections' in [limits] (did you mean 'max_connections'?)");
        assertOneLineError(cli("check-config", "--config", file.toString()),
                file + ":4: unknown key 'max_conections' in [limits] (did you mean 'max_connections'?)");
    }

    @Test
    void serveWithAnExplicitConfigThatDoesNotExistSaysSoAndDoesNotRunQuickstart() {
        Path missing = dir.resolve("nope.toml");
        assertOneLineError(cli("serve", "--config", missing.toString()), missing + ": file not found");
        assertThat(dir.resolve("depesche.toml")).doesNotExist();
    }

    @Test
    void checkConfigSaysOkForAGoodInstallationAndNamesABrokenKeyFile() throws Exception {
        quickstart();
        Run ok = cli("check-config", "--config", config());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).isEqualTo("ok" + System.lineSeparator());
        Files.writeString(dir.resolve("tls/key.pem"), "garbage\n");
        Run bad = cli("check-config", "--config", config());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("depesche: " + dir.resolve("tls/key.pem") + ": no private key found").hasLineCount(1);
    }

    @Test
    void checkConfigNamesATrustAnchorFileTheResolverCannotUseAsServeWould() throws Exception {
        quickstart();
        Path anchor = dir.resolve("anchor.txt");
        Files.writeString(anchor, "not a zone file\n");
        Path file = Path.of(config());
        String toml = Files.readString(file);
        assertThat(toml).contains("# trust_anchor = \"\"");
        Files.writeString(file, toml.replace("# trust_anchor = \"\"", "trust_anchor = \"anchor.txt\""));
        String expected = "depesche: trust anchor file " + anchor + " holds no DS or DNSKEY record";
        assertOneLineError(cli("check-config", "--config", config()), expected);
        assertOneLineError(cli("serve", "--config", config()), expected);
    }

    @Test
    void configDocsPrintsTheReferenceAndWritesItBetweenTheMarkers() throws Exception {
        Run printed = cli("config-docs");
        assertThat(printed.code()).isZero();
        assertThat(printed.out()).isEqualTo(org.depesche.configfile.ConfigDocs.markdown());
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# X\n<!-- config-reference:start -->\n<!-- config-reference:end -->\n");
        assertThat(cli("config-docs", "--write", readme.toString()).code()).isZero();
        assertThat(Files.readString(readme)).contains("| `max_connections` | `1000` |");
        Path none = dir.resolve("NOMARKERS.md");
        Files.writeString(none, "# nothing\n");
        assertThat(cli("config-docs", "--write", none.toString()).code()).isEqualTo(2);
        Path missing = dir.resolve("MISSING.md");
        assertOneLineError(cli("config-docs", "--write", missing.toString()),
                "depesche: cannot write the configuration reference into " + missing + ": no such file");
    }

    @Test
    void theQueueCommandIsReachableFromMainWithTheSameConfigOption() {
        quickstart();
        Run r = cli("queue", "list", "--config", config());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("The queue is empty.");
        assertThat(cli("--help").out()).contains("queue");
    }

    @Test
    void noCommandAtAllShowsTheOverviewAndExitsWith2() {
        Run r = cli();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Commands:").contains("depesche: no command given");
    }
}
