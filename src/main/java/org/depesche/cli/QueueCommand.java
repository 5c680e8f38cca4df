package org.depesche.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.depesche.mail.BodyType;
import org.depesche.configfile.ConfigException;
import org.depesche.queue.Envelope;
import org.depesche.queue.FileQueue;
import org.depesche.queue.Queue;
import org.depesche.queue.QueueAdmin;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.queue.TransportDemand;
import org.depesche.transport.Strength;
import org.depesche.mail.MailAddress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `depesche queue list|show|retry|delete`: reads the queue directly (for
 * the file queue, plain files) and leaves retry/delete to the running server
 * as a control request, or does them itself when no server runs (see
 * {@link QueueAdmin}).
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "List, inspect, retry or delete messages waiting in the queue.",
        subcommands = {QueueCommand.ListQueue.class, QueueCommand.Show.class, QueueCommand.Retry.class,
                QueueCommand.Delete.class})
public final class QueueCommand {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** The queue of the configured installation; the reserve only guards accepting mail, which the CLI never does. */
    static Queue openQueue(ConfigOption config) throws ConfigException, IOException {
        return new FileQueue(config.dataDir().resolve("queue"), 0, Clock.systemUTC());
    }

    /** Shared by the subcommands: opens the configured queue and runs one. */
    abstract static class Sub implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Spec
        CommandSpec spec;

        /** Problems are thrown: Main prints a CliException or ConfigException as one line with exit code 2. */
        @Override
        public final Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (Queue queue = openQueue(config)) {
                return run(queue, out, err);
            } finally {
                out.flush();
                err.flush();
            }
        }

        abstract int run(Queue queue, PrintWriter out, PrintWriter err) throws Exception;

        static QueuedMessage find(Queue queue, String id) throws IOException, CliException {
            Optional<QueuedMessage> m = queue.get(id);
            if (m.isEmpty()) throw new CliException("no message with id " + id + " in the queue");
            return m.get();
        }
    }

    @Command(name = "list", description = "One line per queued message, oldest first.")
    static final class ListQueue extends Sub {
        @Override
        int run(Queue queue, PrintWriter out, PrintWriter err) throws IOException {
            List<QueuedMessage> all = queue.list();
            if (all.isEmpty()) {
                out.println("The queue is empty.");
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "RECEIVED (UTC)", "SIZE", "SENDER", "PENDING", "NEXT ATTEMPT (UTC)"});
            for (QueuedMessage m : all) {
                rows.add(new String[] {m.id(), TIME.format(m.envelope().receivedAt()), Long.toString(m.size()),
                        sender(m.envelope()), m.pending().size() + " of " + m.states().size(),
                        TIME.format(m.nextAttempt())});
            }
            table(out, "", rows);
            out.println(all.size() + (all.size() == 1 ? " message" : " messages"));
            return 0;
        }
    }

    @Command(name = "show", description = "Envelope, recipients with their delivery state, and the attempt history of one message.")
    static final class Show extends Sub {
        @Parameters(paramLabel = "ID", description = "Queue id, as shown by `queue list`.")
        String id;

        @Override
        int run(Queue queue, PrintWriter out, PrintWriter err) throws Exception {
            QueuedMessage m = find(queue, id);
            Envelope e = m.envelope();
            List<String[]> head = new ArrayList<>();
            head.add(new String[] {"Queue id", m.id()});
            head.add(new String[] {"Received", TIME.format(e.receivedAt()) + " UTC from " + e.peerAddress()
                    + ", connection " + e.connectionId() + ", TLS " + e.tls()});
            head.add(new String[] {"Sender", sender(e)});
            e.authenticatedUser().ifPresent(u -> head.add(new String[] {"Authenticated", u}));
            head.add(new String[] {"Size", m.size() + " octets"});
            head.add(new String[] {"Body", (e.bodyType() == BodyType.EIGHT_BIT_MIME ? "8BITMIME" : "7BIT")
                    + (e.smtpUtf8() ? ", SMTPUTF8" : "")});
            List<String> demand = demand(e.demand());
            for (int i = 0; i < demand.size(); i++) head.add(new String[] {i == 0 ? "Demand" : "", demand.get(i)});
            head.add(new String[] {"Next attempt", m.pending().isEmpty() ? "-"
                    : TIME.format(m.nextAttempt()) + " UTC" + (m.deferrals() == 0 ? ""
                    : " (after " + m.deferrals() + (m.deferrals() == 1 ? " failed attempt)" : " failed attempts)"))});
            if (m.delayNotified()) head.add(new String[] {"Delay notice", "sent to the sender"});
            table(out, "", head);

            out.println();
            out.println("Recipients:");
            List<String[]> rcpts = new ArrayList<>();
            rcpts.add(new String[] {"STATE", "RECIPIENT", "MAILBOX", "LAST RESULT"});
            for (int i = 0; i < m.states().size(); i++) {
                Recipient r = e.recipients().get(i);
                QueuedMessage.RecipientState s = m.states().get(i);
                rcpts.add(new String[] {s.state().name().toLowerCase(), r.original().toString(),
                        r.mailbox().toString(), s.detail() == null ? "-" : s.detail()});
            }
            table(out, "  ", rcpts);

            out.println();
            if (m.attempts().isEmpty()) {
                out.println("Attempts: none yet");
                return 0;
            }
            out.println("Attempts:");
            List<String[]> attempts = new ArrayList<>();
            attempts.add(new String[] {"TIME (UTC)", "RECIPIENT", "OUTCOME", "VIA", "DETAIL"});
            for (QueuedMessage.Attempt a : m.attempts()) {
                attempts.add(new String[] {TIME.format(a.at()), a.recipient().toString(),
                        a.outcome().name().toLowerCase(), a.hop() == null ? "-" : a.hop().toString(),
                        a.detail() == null ? "-" : a.detail()});
            }
            table(out, "  ", attempts);
            return 0;
        }
    }

    /** retry and delete: the same request, only the operation differs. */
    abstract static class AdminSub extends Sub {
        @Parameters(paramLabel = "ID", description = "Queue id, as shown by `queue list`.")
        String id;

        private final String what;
        private final Operation operation;

        AdminSub(String what, Operation operation) {
            this.what = what;
            this.operation = operation;
        }

        @FunctionalInterface
        interface Operation {
            QueueAdmin.Outcome apply(QueueAdmin admin, String id) throws IOException, InterruptedException;
        }

        @Override
        int run(Queue queue, PrintWriter out, PrintWriter err) throws Exception {
            return report(operation.apply(new QueueAdmin(queue, Clock.systemUTC()), id), id, what, out, err);
        }
    }

    @Command(name = "retry", description = "Deliver a message now instead of waiting for its next attempt.")
    static final class Retry extends AdminSub {
        Retry() {
            super("retry", QueueAdmin::retry);
        }
    }

    @Command(name = "delete", description = "Remove a message from the queue without delivering it (no bounce is sent).")
    static final class Delete extends AdminSub {
        Delete() {
            super("delete", QueueAdmin::delete);
        }
    }

    static int report(QueueAdmin.Outcome outcome, String id, String what, PrintWriter out, PrintWriter err)
            throws CliException {
        switch (outcome) {
            case UNKNOWN_ID -> throw new CliException("no message with id " + id + " in the queue");
            case SERVER_TOOK_REQUEST -> out.println("The running server took the " + what + " request for " + id + ".");
            case RESCHEDULED -> out.println("No server is running: " + id
                    + " is due now and will be delivered when the server starts.");
            case DELETED -> out.println("Deleted " + id + ".");
            case SERVER_DID_NOT_RESPOND -> {
                err.println("depesche: a server holds the queue but did not take the " + what + " request for "
                        + id + " within 5 seconds; the request stays and is served when it next polls.");
                return 1;
            }
        }
        return 0;
    }

    static String sender(Envelope e) {
        return "<" + e.sender().map(MailAddress::toString).orElse("") + ">";
    }

    /** Left-aligned columns, two spaces apart; the last column is not padded. */
    /** What the message demands of its onward hops (decided on receipt), in words; empty for an ordinary one. */
    static List<String> demand(TransportDemand d) {
        List<String> lines = new ArrayList<>();
        if (d.requireTls()) {
            lines.add("REQUIRETLS: the sender asked for it; every hop must be authenticated TLS and offer REQUIRETLS");
        }
        if (d.floor().verified()) lines.add("authenticated TLS at every hop, because " + d.because());
        else if (d.floor() == Strength.ENCRYPTED) lines.add("TLS at every hop, because " + d.because());
        if (d.tlsRequiredNo()) {
            lines.add("TLS-Required: No: the sender asks that DANE and MTA-STS failures not stop it (TLS is still tried)");
        }
        return lines;
    }

    static void table(PrintWriter out, String indent, List<String[]> rows) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] row : rows) for (int c = 0; c < columns; c++) width[c] = Math.max(width[c], row[c].length());
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c < columns - 1) line.append(" ".repeat(width[c] - row[c].length() + 2));
            }
            out.println(line);
        }
    }

}
