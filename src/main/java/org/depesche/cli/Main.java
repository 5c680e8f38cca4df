package org.depesche.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import org.depesche.configfile.ConfigException;
import org.depesche.directory.DirectoryException;
import org.depesche.tls.TlsConfigException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code depesche}: the entry point. Runs in-process for tests through
 * {@link #run(String...)} with its own streams; {@link #main} wires the
 * process's streams and exit code.
 */
@Command(name = "depesche", scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A mail server that receives mail over SMTP and submission, queues it durably, stores it in Maildir and delivers to other domains over authenticated TLS.",
        subcommands = {
                QuickstartCommand.class,
                ServeCommand.class,
                DirectoryCommands.User.class,
                DirectoryCommands.Alias.class,
                DirectoryCommands.Domain.class,
                QueueCommand.class,
                PolicyCommand.class,
                ProbeCommand.class,
                DnsCommand.class,
                CheckConfigCommand.class,
                ConfigDocsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for anything the user can fix: bad flags, a bad config file, a refused change. */
    public static final int USAGE = 2;

    final InputStream in;
    final PrintWriter out;
    final PrintWriter err;
    final Clock clock;

    @Spec
    CommandSpec spec;

    public Main(InputStream in, OutputStream out, OutputStream err, Clock clock) {
        this.in = in;
        this.out = printable(out);
        this.err = printable(err);
        this.clock = clock;
    }

    /** Autoflush, as a terminal expects; everything printed made safe for it ({@link PrintableWriter}). */
    private static PrintWriter printable(OutputStream stream) {
        return new PrintWriter(new PrintableWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8)), true);
    }

    public static void main(String[] args) {
        int code = new Main(System.in, System.out, System.err, Clock.systemUTC()).run(args);
        System.exit(code);
    }

    /** Runs one command line and returns its exit code; never throws. */
    public int run(String... args) {
        CommandLine cl = new CommandLine(this);
        // No ANSI colours in the help: PrintableWriter would show their ESC as '?'.
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(this::badUsage);
        cl.setExecutionExceptionHandler((e, line, parsed) -> failed(e));
        Runnable restoreLogging = Logging.snapshot();
        try {
            return cl.execute(args);
        } finally {
            restoreLogging.run();
            out.flush();
            err.flush();
        }
    }

    /** No command given: the overview, and exit 2 so scripts notice. */
    @Override
    public void run() {
        spec.commandLine().usage(err);
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    /** The Main of a command line, for subcommands that need its streams. */
    static Main of(CommandSpec spec) {
        return (Main) spec.root().userObject();
    }

    private int badUsage(ParameterException e, String[] args) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        err.println("depesche: " + e.getMessage() + " (see '" + command + " --help')");
        return USAGE;
    }

    private int failed(Exception e) {
        switch (e) {
            case ConfigException c -> err.println(c.getMessage());
            case DirectoryException d -> err.println("depesche: " + d.getMessage());
            case TlsConfigException t -> err.println("depesche: " + t.getMessage());
            case CliException c -> err.println("depesche: " + c.getMessage());
            case BindException b -> err.println("depesche: " + b.getMessage());
            default -> {
                if (e.getCause() instanceof BindException) { // a listener's port is taken: fix the config
                    err.println("depesche: " + e.getMessage());
                    return USAGE;
                }
                err.println("depesche: error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                if (System.getenv("DEPESCHE_DEBUG") != null) e.printStackTrace(err);
                return 1;
            }
        }
        return USAGE;
    }

    /** The version from the jar manifest, "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"depesche " + (v == null ? "dev" : v)};
        }
    }
}
