package org.depesche.cli;

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
        // What only the resolver can tell: the trust anchor file's content, and trust-ad with resolv.conf's servers.
        try (var dns = org.depesche.dns.DnsResolvers.fromConfig(c.dns(), main.clock)) {
            main.out.println("ok");
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        return 0;
    }
}
