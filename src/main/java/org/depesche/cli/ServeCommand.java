package org.depesche.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.depesche.Depesche;
import org.depesche.config.Config;
import org.depesche.smtp.server.ListenerKind;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code depesche serve}: runs the server until SIGTERM or SIGINT. With no
 * --config and no ./depesche.toml it first runs quickstart
 * postmaster@localhost here, so that one command gives a working server.
 */
@Command(name = "serve",
        description = {"Runs the server until SIGTERM or SIGINT (Ctrl-C). Without --config it uses depesche.toml in the current "
                + "directory; if there is none, it first runs 'quickstart postmaster@localhost' there."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Main main = Main.of(spec);
        if (!config.given() && !Files.exists(config.file())) {
            main.out.println("No " + config.file() + " here: running 'depesche quickstart postmaster@localhost' in "
                    + Path.of("").toAbsolutePath() + " first.");
            main.out.println();
            QuickstartCommand.run("postmaster@localhost", Path.of("."), null, main.clock, main.out, true);
            main.out.println();
        }
        Config c = config.load();
        Logging.apply(c.log());
        CheckConfigCommand.warnIfOpenToOthers(c.dataDir(), main.err);
        Depesche depesche;
        try {
            depesche = new Depesche(c, main.clock);
        } catch (IllegalArgumentException e) { // a [dns] setting the resolver cannot use
            throw new CliException(e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            depesche.close();
            stopped.countDown();
        }, "depesche-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            depesche.start();
        } catch (Exception e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        main.out.println("depesche: listening " + listening(depesche) + " (hostname " + c.hostname() + ", data "
                + c.dataDir() + "); stop with Ctrl-C or SIGTERM");
        stopped.await();
        return 0;
    }

    private static String listening(Depesche d) {
        List<String> parts = new ArrayList<>();
        for (ListenerKind kind : ListenerKind.values()) {
            var at = d.address(kind);
            if (at != null) parts.add(kind.name().toLowerCase() + "=" + at.getAddress().getHostAddress() + ":" + at.getPort());
        }
        return String.join(" ", parts);
    }
}
