package org.depesche.cli;

import org.depesche.config.Config;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/** Applies [log] from the config to Logback once the config is known (logback.xml starts at INFO). */
final class Logging {
    private Logging() {
    }

    static void apply(Config.Log log) {
        if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context)) return;
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(log.level(), Level.INFO));
        // Off unless asked for; when on, every level passes, whatever the root level.
        context.getLogger("transcript").setLevel(log.transcripts() ? Level.TRACE : Level.OFF);
    }

    /**
     * Remembers the levels this class changes and returns what puts them
     * back: Main runs in-process in tests, where one command must not
     * change the logging of the tests after it.
     */
    static Runnable snapshot() {
        if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context)) return () -> { };
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger transcript = context.getLogger("transcript");
        Level rootLevel = root.getLevel();
        Level transcriptLevel = transcript.getLevel();
        return () -> {
            root.setLevel(rootLevel);
            transcript.setLevel(transcriptLevel);
        };
    }

    /** The CLI's own commands (user add, ...) log only warnings, so their output stays the answer. */
    static void quiet() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context)
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
}
