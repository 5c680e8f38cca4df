package org.depesche.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.depesche.config.Config;
import org.depesche.directory.FileDirectory;
import org.depesche.mtasts.PolicyFetcher;
import org.depesche.mtasts.PublishedPolicy;
import org.depesche.mtasts.StsRecord;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `depesche dns records DOMAIN`: the DNS records a local domain should
 * publish for what this configuration serves, in zone file syntax. For now
 * the MTA-STS TXT record (RFC 8461 3.1), whose id follows the policy text, so
 * it must be republished whenever [mta_sts] changes.
 */
@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "Print DNS records to publish for a local domain.",
        subcommands = {DnsCommand.Records.class})
public final class DnsCommand {

    @Command(name = "records", description = "The _mta-sts TXT record (and the policy it announces) for DOMAIN.")
    static final class Records implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DOMAIN", description = "A local domain, e.g. example.org.")
        String domain;

        @Override
        public Integer call() throws Exception {
            Config c = config.load();
            Logging.quiet();
            String d;
            try {
                d = org.depesche.mail.DomainName.key(domain); // the name DNS knows, as the directory compares it
            } catch (org.depesche.mail.InvalidDomainException e) {
                throw new CliException(e.getMessage());
            }
            if (!FileDirectory.of(c, java.time.Clock.systemUTC()).isLocalDomain(d))
                throw new CliException(d + " is not a local domain (add it with `depesche domain add " + d + "`)");
            PublishedPolicy p = PublishedPolicy.from(c);
            PrintWriter out = spec.commandLine().getOut();
            out.println("; MTA-STS (RFC 8461) for " + d + ": mode " + p.policy().mode().label());
            out.println(StsRecord.owner(d) + ". IN TXT \"" + p.record().toText() + "\"");
            if (c.mtaSts().listen().isBlank()) {
                out.println("; [mta_sts] listen is empty: this server does not serve the policy; publish the TXT record only");
                out.println("; when " + PolicyFetcher.policyUri(d) + " serves the policy below.");
            } else {
                out.println("; mta-sts." + d + " must point at this server (" + c.mtaSts().listen()
                        + ", port 443 from outside) and the [tls] certificate must name it.");
            }
            out.println("; The policy served at " + PolicyFetcher.policyUri(d) + ":");
            for (String line : p.policy().toText().split("\r\n")) out.println(";   " + line);
            out.flush();
            return 0;
        }
    }
}
