package org.depesche.cli;

import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.depesche.config.Config;
import org.depesche.policy.DowngradeMemory;
import org.depesche.policy.FileDowngradeMemory;
import org.depesche.policy.PolicyEngine;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `depesche policy show|reset DOMAIN`: the outbound TLS level of a domain and
 * what the downgrade memory holds for it (THREATS T10). The memory is plain
 * files that the running server reads before every attempt, so a reset takes
 * effect at the next attempt without a restart.
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Show or reset the outbound TLS policy and downgrade memory of a destination domain.",
        subcommands = {PolicyCommand.Show.class, PolicyCommand.Reset.class})
public final class PolicyCommand {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    abstract static class Sub implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DOMAIN", description = "Destination domain, e.g. example.org.")
        String domain;

        @Override
        public final Integer call() throws Exception {
            Config c = config.load();
            DowngradeMemory memory = new FileDowngradeMemory(c.dataDir().resolve("policy"));
            PrintWriter out = spec.commandLine().getOut();
            try {
                return run(new PolicyEngine(c.delivery(), memory), memory, out);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            } finally {
                out.flush();
            }
        }

        abstract int run(PolicyEngine engine, DowngradeMemory memory, PrintWriter out) throws Exception;
    }

    @Command(name = "show", description = "The TLS level for DOMAIN and the best protection it was reached with.")
    static final class Show extends Sub {
        @Override
        int run(PolicyEngine engine, DowngradeMemory memory, PrintWriter out) throws Exception {
            Optional<DowngradeMemory.Entry> seen = memory.get(domain);
            out.println("Domain:     " + domain);
            out.println("TLS level:  " + engine.levelFor(domain));
            java.util.List<String> pins = engine.pinsFor(domain);
            if (!pins.isEmpty()) out.println("Pins:       " + String.join(", ", pins));
            if (seen.isEmpty()) {
                out.println("Remembered: nothing (no successful delivery recorded)");
            } else {
                DowngradeMemory.Entry e = seen.get();
                out.println("Remembered: " + e.label() + " (reached " + e.protection().with() + " via "
                        + e.mx() + " on " + TIME.format(e.at()) + " UTC); less is refused until `depesche policy reset "
                        + domain + "`");
            }
            return 0;
        }
    }

    @Command(name = "reset", description = "Forget the protection DOMAIN was reached with, allowing a weaker one again.")
    static final class Reset extends Sub {
        @Override
        int run(PolicyEngine engine, DowngradeMemory memory, PrintWriter out) throws Exception {
            Optional<DowngradeMemory.Entry> seen = memory.get(domain);
            if (!memory.reset(domain)) {
                out.println("Nothing remembered for " + domain + "; nothing to reset.");
                return 0;
            }
            out.println("Forgot that " + domain + " was reached " + seen.map(e -> e.protection().with()).orElse("before")
                    + "; the next delivery may use what the TLS level (" + engine.levelFor(domain) + ") allows.");
            return 0;
        }
    }
}
