package org.depesche.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;

import org.depesche.config.Config;
import org.depesche.directory.FileDirectory;
import org.depesche.tls.PemTlsContextProvider;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code depesche check-config}: loads the config, the certificate and key, the directory and the DNS resolver, as serve would. */
@Command(name = "check-config", description = "Checks the config file, the TLS certificate and key, and directory.json; prints ok or the one-line error.")
final class CheckConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Main main = Main.of(spec);
        Logging.quiet();
        Config c = config.load();
        new PemTlsContextProvider(c.tls().certificate(), c.tls().key(), c.tls().reloadInterval(), main.clock);
        FileDirectory.of(c, main.clock);
        warnIfOpenToOthers(c.dataDir(), main.err);
        // What only the resolver can tell: the trust anchor file's content, and trust-ad with resolv.conf's servers.
        try (var dns = org.depesche.dns.DnsResolvers.fromConfig(c.dns(), main.clock)) {
            main.out.println("ok");
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        return 0;
    }

    /**
     * A data directory made before quickstart created it 0700 (issue 8
     * finding 10) is left as it is, but named: other users can list the
     * mailboxes in it. Neither check-config nor serve changes it.
     */
    static void warnIfOpenToOthers(Path dataDir, PrintWriter err) {
        Set<PosixFilePermission> open = EnumSet.complementOf(EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dataDir);
            open.retainAll(mode);
            if (!open.isEmpty()) {
                err.println("depesche: warning: " + dataDir + " is open to other users (mode "
                        + PosixFilePermissions.toString(mode) + "); `chmod 700 " + dataDir + "` closes it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // missing (created 0700 at the first start) or not a POSIX file system
        }
    }
}
