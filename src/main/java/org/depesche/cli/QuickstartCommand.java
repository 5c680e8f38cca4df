package org.depesche.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;

import org.depesche.config.Config;
import org.depesche.configfile.ConfigDocs;
import org.depesche.config.HostName;
import org.depesche.crypto.PasswordGenerator;
import org.depesche.directory.DirectoryAdmin;
import org.depesche.directory.DirectoryException;
import org.depesche.directory.FileDirectory;
import org.depesche.mail.MailAddress;
import org.depesche.tls.SelfSignedCertificate;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code depesche quickstart ADDRESS}: everything a first run needs, on
 * unprivileged loopback ports, and a test mail to send with swaks.
 */
@Command(name = "quickstart",
        description = {"Creates a working installation in DIR: depesche.toml, a self-signed certificate, "
                + "the data directory and the account ADDRESS (its domain becomes the first local domain, "
                + "postmaster@ goes to it) with a generated password that is printed once."})
final class QuickstartCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ADDRESS", description = "The first account, e.g. you@example.org.")
    String address;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to create the installation (default: the current directory).")
    Path dir = Path.of(".");

    @Option(names = "--hostname", paramLabel = "HOST", description = "This server's host name (default: the machine's host name, or localhost).")
    String hostname;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Main main = Main.of(spec);
        run(address, dir, hostname, main.clock, main.out, false);
        return 0;
    }

    /** What quickstart made; used by serve to say where things are. */
    record Result(Path config, MailAddress account) {
    }

    /** {@code serving}: serve runs it and starts the server right after, so the output says so. */
    static Result run(String address, Path dir, String hostname, Clock clock, PrintWriter out, boolean serving)
            throws CliException, DirectoryException, IOException, GeneralSecurityException {
        MailAddress account;
        try {
            account = MailAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new CliException("not a valid address: " + address + " (" + e.getMessage() + ")");
        }
        String host = hostname != null ? HostName.normalize(hostname) : machineHostName();
        if (!HostName.isValid(host)) throw new CliException("not a valid host name: " + hostname);
        Path base = dir.toAbsolutePath().normalize();
        Path configFile = base.resolve("depesche.toml");
        if (Files.exists(configFile))
            throw new CliException(configFile + " already exists; not overwriting it (use another --dir, or edit it)");

        Config config = Config.builder().hostname(host).dataDir(Path.of("data"))
                .listen(new Config.Listen(Config.Listen.DEFAULT_SMTP, Config.Listen.DEFAULT_SUBMISSION, Config.Listen.DEFAULT_SUBMISSIONS))
                .tls(new Config.Tls(Path.of("tls/cert.pem"), Path.of("tls/key.pem"), null)).build();
        Path data = base.resolve(config.dataDir());
        Path cert = base.resolve(config.tls().certificate());
        Path key = base.resolve(config.tls().key());

        // The directory first: it refuses a bad or existing address before anything is written.
        char[] password = new PasswordGenerator().generate();
        DirectoryAdmin directory = new FileDirectory(data.resolve("directory.json"));
        if (!directory.isLocalDomain(account.domain())) directory.addDomain(account.domain());
        directory.addUser(account.toString(), password);
        String postmaster = "postmaster@" + account.domain();
        boolean alias = !account.normalizedLocalPart().equals("postmaster");
        if (alias) directory.addAlias(postmaster, List.of(account.toString()));
        Path maildir = Mailboxes.create(data, account.toString());

        boolean keptCert = Files.exists(cert) && Files.exists(key);
        SelfSignedCertificate certificate = null;
        if (!keptCert) {
            certificate = SelfSignedCertificate.generate(host, clock);
            certificate.writePem(cert, key);
        }
        try {
            Files.writeString(configFile, ConfigDocs.exampleToml(config,
                            "Depesche configuration, written by `depesche quickstart " + account + "`.\n"
                            + "The listeners are on unprivileged loopback ports; for a real MX use 0.0.0.0:25, :587 and :465."),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(configFile + " already exists; not overwriting it");
        }

        out.println("Created a Depesche installation in " + base + ":");
        out.println("  " + configFile + "  configuration (hostname " + host + ")");
        if (certificate != null) {
            out.println("  " + cert + "  self-signed certificate for " + host + ", valid until "
                    + certificate.certificate().getNotAfter().toInstant().atZone(ZoneOffset.UTC).toLocalDate());
            out.println("  " + key + "  its private key (mode 0600)");
        } else {
            out.println("  " + cert + "  existing certificate kept");
        }
        out.println("  " + data + "  data: directory.json, queue/, mail/");
        out.println("  domain " + account.domain() + ", account " + account
                + (alias ? ", alias " + postmaster + " -> " + account : ""));
        out.println();
        out.println("Password for " + account + " (shown only this once): " + new String(password));
        out.println();
        out.println(serving ? "Starting the server now; next time start it with:" : "Start the server:");
        out.println("  ./depesche serve --config " + configFile);
        out.println("Listening will be SMTP (MX) " + config.listen().smtp() + ", submission " + config.listen().submission()
                + " (STARTTLS), submissions " + config.listen().submissions() + " (implicit TLS).");
        out.println();
        out.println("Send a test mail through submission (STARTTLS and AUTH):");
        out.println("  swaks --server " + config.listen().submission() + " --tls --auth-user " + account
                + " --auth-password '" + new String(password) + "' --to " + account + " --from " + account);
        out.println("Send one as another mail server would (MX, no login):");
        out.println("  swaks --server " + config.listen().smtp() + " --to " + account);
        out.println("Delivered mail appears in " + maildir.resolve("new"));
        java.util.Arrays.fill(password, '\0');
        return new Result(configFile, account);
    }

    /** The machine's host name if it is a usable one, else "localhost". */
    static String machineHostName() {
        try {
            String name = HostName.normalize(InetAddress.getLocalHost().getHostName());
            return HostName.isValid(name) ? name : "localhost";
        } catch (IOException e) {
            return "localhost";
        }
    }
}
