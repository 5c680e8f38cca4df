package org.depesche.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import org.depesche.DeliverySetup;
import org.depesche.config.Config;
import org.depesche.directory.FileDirectory;
import org.depesche.dns.CachingDnsResolver;
import org.depesche.dns.DnsResolvers;
import org.depesche.outbound.Probe;
import org.depesche.outbound.ProbeReport;
import org.depesche.queue.TransportDemand;
import org.depesche.smtp.Printable;
import org.depesche.smtp.client.ClientTimeouts;
import org.depesche.smtp.client.ServerProbe;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `depesche probe ADDRESS|DOMAIN`: how mail there would travel, before
 * anything is sent. Built from the config by the {@link DeliverySetup}
 * `serve` builds delivery with (the directory with the [secure] overlay,
 * the [dns] resolver, the [delivery] policy table, the downgrade memory and
 * the MTA-STS cache under the data directory), so the answer is the one the
 * running server would act on. The MTA-STS cache may be filled by the probe,
 * as a delivery would fill it; the downgrade memory is only read.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Show how mail to ADDRESS or DOMAIN would travel, before sending: MX hosts, DNSSEC, TLSA, "
                + "MTA-STS, the static policy and downgrade memory, and the resulting level (DANE-verified, "
                + "MTA-STS-verified, encrypted but unverified, plaintext). Connects to each MX (EHLO, STARTTLS, "
                + "certificate check, QUIT; never MAIL FROM) unless --no-connect.")
final class ProbeCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ADDRESS|DOMAIN", description = "A recipient address (its domain is probed) or a domain.")
    String target;

    @Option(names = "--json", description = "Print the report as JSON (stable field names, for scripts).")
    boolean json;

    @Option(names = "--no-connect", description = "Do not connect to the MX hosts: report from DNS and policy alone.")
    boolean noConnect;

    @Option(names = "--require-tls", description = "Probe for a message sent with REQUIRETLS (RFC 8689): "
            + "the MX must be authenticated and offer REQUIRETLS.")
    boolean requireTls;

    @Option(names = "--secure-sender", description = "Probe for mail from a secure address: only authenticated TLS.")
    boolean secureSender;

    @Override
    public Integer call() throws Exception {
        Config c = config.load();
        try {
            Probe.recipient(target);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Logging.quiet();
        Clock clock = Main.of(spec).clock;
        FileDirectory directory = FileDirectory.of(c, clock);
        try (CachingDnsResolver dns = DnsResolvers.fromConfig(c.dns(), clock);
             ServerProbe server = noConnect ? null : new ServerProbe(c.heloName(), timeouts(c.delivery()), null, clock)) {
            // Equal MX preferences in one fixed order: the same command gives the same report.
            Probe probe = DeliverySetup.of(c, directory, dns, new Random(0), clock).probe(server, clock);
            ProbeReport report = probe.probe(target, demand());
            PrintWriter out = spec.commandLine().getOut();
            if (json) out.println(JSON.writeValueAsString(report));
            else ProbeText.print(report, out);
            out.flush();
            return 0;
        }
    }

    /**
     * JSON escapes ESC as the six characters \u001b, which a script reading
     * the value decodes again: so every string value is made {@link Printable}
     * before it is written (issue 8 finding 9).
     */
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule().addSerializer(String.class, new StdSerializer<>(String.class) {
                @Override
                public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                    gen.writeString(Printable.printable(value));
                }
            }));

    /** What the probed message demands, as the server would have stored it on receipt (decisions 2 and 3). */
    private TransportDemand demand() {
        TransportDemand d = TransportDemand.NONE.withRequireTls(requireTls);
        return secureSender ? d.atLeast(org.depesche.transport.Strength.VERIFIED, "the sender is a secure address") : d;
    }

    /** Connect as delivery does; a person waits for the answer, so no command waits more than a minute. */
    private static ClientTimeouts timeouts(Config.Delivery d) {
        Duration cmd = d.commandTimeout().compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : d.commandTimeout();
        return new ClientTimeouts(d.connectTimeout(), ClientTimeouts.Replies.all(cmd), ClientTimeouts.Content.all(cmd));
    }
}
