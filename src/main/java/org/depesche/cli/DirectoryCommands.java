package org.depesche.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.depesche.configfile.ConfigException;
import org.depesche.crypto.PasswordGenerator;
import org.depesche.directory.Directory;
import org.depesche.directory.DirectoryAdmin;
import org.depesche.directory.DirectoryException;
import org.depesche.directory.DirectoryKeys;
import org.depesche.directory.FileDirectory;
import org.depesche.directory.SecureSettings;
import org.depesche.mail.DomainName;
import org.depesche.mail.MailAddress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code depesche user|alias|domain}: changes to directory.json. A running
 * server picks them up within a fraction of a second; nothing needs a
 * restart.
 */
final class DirectoryCommands {
    private DirectoryCommands() {
    }

    /** The directory with the [secure] entries of the config file laid over it, as the server sees it. */
    static DirectoryAdmin open(ConfigOption config) throws ConfigException, DirectoryException {
        Logging.quiet();
        return FileDirectory.of(config.load(), java.time.Clock.systemUTC());
    }

    /** ", set in depesche.toml" for an address a [secure] table names. */
    private static String inConfig(DirectoryAdmin dir, String address) {
        return dir.configuredTable(address).map(t -> ", set in " + SecureSettings.FILE).orElse("");
    }

    @Command(name = "user", description = "Adds, lists, changes the password of and deletes accounts.",
            subcommands = picocli.CommandLine.HelpCommand.class)
    static final class User {
        @Spec
        CommandSpec spec;

        @Command(name = "add", description = {"Creates the account ADDRESS (its domain must be local). "
                + "The password is read from stdin with --password-stdin, else generated and printed once."})
        int add(@Parameters(paramLabel = "ADDRESS", description = "The account's address (its login).") String address,
                @Option(names = "--password-stdin", description = "Read the password from the first line of stdin.") boolean stdin,
                @Mixin ConfigOption config) throws Exception {
            return savePassword(address, stdin, config, true);
        }

        @Command(name = "list", description = "Lists the accounts.")
        int list(@Mixin ConfigOption config) throws Exception {
            Main main = Main.of(spec);
            DirectoryAdmin dir = open(config);
            for (DirectoryAdmin.AccountInfo a : dir.accounts()) {
                List<String> flags = new java.util.ArrayList<>();
                if (!a.enabled()) flags.add("disabled");
                a.secure().ifPresent(st -> flags.add("secure: " + st.label()));
                if (a.receiveTlsOnly()) flags.add("receive-tls-only");
                if (a.sendAuthenticatedOnly()) flags.add("send-authenticated-only");
                main.out.println(a.address() + (flags.isEmpty() ? "" : " (" + String.join(", ", flags) + inConfig(dir, a.address()) + ")"));
            }
            return 0;
        }

        @Command(name = "secure", description = {"Marks ADDRESS (an account or alias) secure: mail to it is accepted only over TLS. "
                + "The switches apply to the whole account; --off undoes all of it."})
        int secure(@Parameters(paramLabel = "ADDRESS", description = "An account or alias address.") String address,
                   @Option(names = "--strictness", paramLabel = "encrypt|verify", defaultValue = "verify",
                           description = "How strictly its mail must be protected (default: ${DEFAULT-VALUE}).") String strictness,
                   @Option(names = "--receive-tls-only", description = "The account accepts mail to any of its addresses only over TLS.") boolean receive,
                   @Option(names = "--send-authenticated-only", description = "The account's mail leaves only over authenticated TLS.") boolean send,
                   @Option(names = "--off", description = "The address is no longer secure and the account's switches are cleared.") boolean off,
                   @Mixin ConfigOption config) throws Exception {
            DirectoryAdmin dir = open(config);
            Main main = Main.of(spec);
            if (off) {
                // Refused before anything changes: the file's entry would keep the address secure anyway.
                dir.requireNotConfigured(address);
                dir.setSecure(address, null);
                if (isAccount(dir, address)) dir.setAccountTls(address, false, false);
                main.out.println(stored(address) + " is no longer secure");
                return 0;
            }
            Directory.Strictness st = strictness(strictness);
            if ((receive || send) && !isAccount(dir, address))
                throw new CliException("--receive-tls-only and --send-authenticated-only need an account, and " + address + " is none");
            dir.setSecure(address, st);
            if (receive || send) dir.setAccountTls(address, receive, send);
            // A stricter [[secure.address]] in depesche.toml wins; say so rather than claim what does not apply.
            Directory.Strictness effective = dir.secureAddresses().getOrDefault(stored(address), st);
            main.out.println(stored(address) + " is secure (" + st.label() + ")" + (receive ? ", receives only over TLS" : "")
                    + (send ? ", sends only over authenticated TLS" : "")
                    + (effective == st ? "" : "; " + SecureSettings.FILE + " sets " + effective.label() + ", which wins"));
            return 0;
        }

        @Command(name = "passwd", description = {"Sets a new password for ADDRESS: from stdin with --password-stdin, "
                + "else generated and printed once."})
        int passwd(@Parameters(paramLabel = "ADDRESS", description = "The account's address (its login).") String address,
                   @Option(names = "--password-stdin", description = "Read the password from the first line of stdin.") boolean stdin,
                   @Mixin ConfigOption config) throws Exception {
            return savePassword(address, stdin, config, false);
        }

        /** Creates the account ({@code create}) or changes its password. */
        private int savePassword(String address, boolean stdin, ConfigOption config, boolean create) throws Exception {
            DirectoryAdmin dir = open(config);
            Main main = Main.of(spec);
            char[] password = stdin ? readPassword(main) : new PasswordGenerator().generate();
            if (create) {
                dir.addUser(address, password);
                Mailboxes.create(config.dataDir(), address);
                main.out.println("added account " + stored(address));
            } else {
                dir.setPassword(address, password);
                main.out.println("changed the password of " + stored(address));
            }
            // A generated password is shown once, here; one from stdin never is.
            if (!stdin) main.out.println("Password for " + stored(address) + " (shown only this once): " + new String(password));
            return 0;
        }

        @Command(name = "del", description = "Deletes the account ADDRESS (and removes it from aliases). Its mailbox stays on disk.")
        int del(@Parameters(paramLabel = "ADDRESS", description = "The account's address (its login).") String address, @Mixin ConfigOption config) throws Exception {
            DirectoryAdmin dir = open(config);
            dir.removeUser(address);
            Main.of(spec).out.println("deleted account " + stored(address) + "; its mailbox under " + config.dataDir().resolve("mail") + " was kept");
            return 0;
        }
    }

    @Command(name = "alias", description = "Adds, lists and deletes aliases (an address delivering to local accounts).",
            subcommands = picocli.CommandLine.HelpCommand.class)
    static final class Alias {
        @Spec
        CommandSpec spec;

        @Command(name = "add", description = "Makes ALIAS deliver to the TARGET accounts (added to its targets if it exists).")
        int add(@Parameters(index = "0", paramLabel = "ALIAS", description = "The alias address, in a local domain.") String alias,
                @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET", description = "Local accounts it delivers to.") List<String> targets,
                @Option(names = "--secure", description = "Accept mail to the alias only over TLS.") boolean secure,
                @Option(names = "--strictness", paramLabel = "encrypt|verify", defaultValue = "verify",
                        description = "With --secure: how strictly its mail must be protected (default: ${DEFAULT-VALUE}).") String strictness,
                @Mixin ConfigOption config) throws Exception {
            Directory.Strictness st = strictness(strictness);
            DirectoryAdmin dir = open(config);
            dir.addAlias(alias, targets);
            if (secure) dir.setSecure(alias, st);
            Main.of(spec).out.println("alias " + stored(alias) + " -> "
                    + String.join(", ", targets.stream().map(DirectoryCommands::stored).toList())
                    + (secure ? " (secure: " + st.label() + ")" : ""));
            return 0;
        }

        @Command(name = "list", description = "Lists the aliases and their targets.")
        int list(@Mixin ConfigOption config) throws Exception {
            Main main = Main.of(spec);
            DirectoryAdmin dir = open(config);
            Map<String, Directory.Strictness> secure = dir.secureAddresses();
            for (Map.Entry<String, List<String>> e : dir.aliases().entrySet()) {
                Directory.Strictness st = secure.get(e.getKey());
                main.out.println(e.getKey() + " -> " + String.join(", ", e.getValue())
                        + (st == null ? "" : " (secure: " + st.label() + inConfig(dir, e.getKey()) + ")"));
            }
            return 0;
        }

        @Command(name = "del", description = "Deletes ALIAS.")
        int del(@Parameters(paramLabel = "ALIAS", description = "The alias address.") String alias, @Mixin ConfigOption config) throws Exception {
            open(config).removeAlias(alias);
            Main.of(spec).out.println("deleted alias " + stored(alias));
            return 0;
        }
    }

    @Command(name = "domain", description = "Adds, lists and deletes local domains.",
            subcommands = picocli.CommandLine.HelpCommand.class)
    static final class Domain {
        @Spec
        CommandSpec spec;

        @Command(name = "add", description = "Makes DOMAIN local: mail for it is accepted and its postmaster@ is answered.")
        int add(@Parameters(paramLabel = "DOMAIN", description = "A domain name, e.g. example.org.") String domain, @Mixin ConfigOption config) throws Exception {
            open(config).addDomain(domain);
            Main.of(spec).out.println("added domain " + DomainName.key(domain.strip()));
            return 0;
        }

        @Command(name = "list", description = "Lists the local domains, the first one first.")
        int list(@Mixin ConfigOption config) throws Exception {
            Main main = Main.of(spec);
            DirectoryAdmin dir = open(config);
            Map<String, List<String>> secure = dir.secureAliasDomains();
            Map<String, String> configured = dir.configured().aliasToDomain();
            for (String d : dir.domains()) {
                List<String> aliases = secure.getOrDefault(d, List.of()).stream()
                        .map(a -> a + (configured.containsKey(a) ? ", set in " + SecureSettings.FILE : "")).toList();
                main.out.println(d + aliases.stream().map(a -> " (secure alias domain: " + a + ")").collect(java.util.stream.Collectors.joining()));
            }
            return 0;
        }

        @Command(name = "secure", description = {"Makes SECUREDOMAIN the secure alias domain of DOMAIN: user@SECUREDOMAIN "
                + "reaches user@DOMAIN's mailbox, but only over TLS. Publish an MX record for SECUREDOMAIN too."})
        int secure(@Parameters(index = "0", paramLabel = "DOMAIN", description = "A local domain, e.g. example.org.") String domain,
                   @Parameters(index = "1", paramLabel = "SECUREDOMAIN", description = "e.g. secure.example.org.") String secureDomain,
                   @Mixin ConfigOption config) throws Exception {
            open(config).setSecureDomain(domain, secureDomain);
            Main.of(spec).out.println(DomainName.key(secureDomain.strip()) + " is now the secure alias domain of "
                    + DomainName.key(domain.strip()));
            return 0;
        }

        @Command(name = "del", description = "Deletes DOMAIN; refused while it has accounts or aliases.")
        int del(@Parameters(paramLabel = "DOMAIN", description = "A domain name, e.g. example.org.") String domain, @Mixin ConfigOption config) throws Exception {
            open(config).removeDomain(domain);
            Main.of(spec).out.println("deleted domain " + DomainName.key(domain.strip()));
            return 0;
        }
    }

    static Directory.Strictness strictness(String value) throws CliException {
        Directory.Strictness st = Directory.Strictness.parse(value);
        if (st == null) throw new CliException("--strictness must be encrypt or verify, not \"" + value + "\"");
        return st;
    }

    /** Compared as the directory stores addresses, so a U-label or upper-case spelling finds its account. */
    private static boolean isAccount(DirectoryAdmin dir, String address) {
        String key;
        try {
            key = stored(address);
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
        return dir.accounts().stream().anyMatch(a -> a.address().equals(key));
    }

    /** The first line of stdin without its line end. Empty input is an error, not an empty password. */
    static char[] readPassword(Main main) throws IOException, CliException {
        String line = new BufferedReader(new InputStreamReader(main.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) throw new CliException("no password on stdin (--password-stdin reads its first line)");
        return line.toCharArray();
    }

    /** An address as the directory stores it (local part folded, domain as its UTS #46 key): what a change says it changed. */
    private static String stored(String address) {
        return DirectoryKeys.key(MailAddress.parse(address.strip()));
    }
}
