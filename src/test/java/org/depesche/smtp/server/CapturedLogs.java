package org.depesche.smtp.server;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** What the session logger and the transcript logger (at DEBUG) write while it is open: real Logback events. */
final class CapturedLogs implements AutoCloseable {
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger transcript = (Logger) LoggerFactory.getLogger("transcript");
    private final Logger sessionLog = (Logger) LoggerFactory.getLogger(SmtpSession.class);
    private final Level transcriptLevel = transcript.getLevel();

    private CapturedLogs() {
        logged.start();
        transcript.setLevel(Level.DEBUG);
        transcript.addAppender(logged);
        sessionLog.addAppender(logged);
    }

    static CapturedLogs start() {
        return new CapturedLogs();
    }

    /** Each event's message with its arguments filled in. */
    List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        transcript.detachAppender(logged);
        sessionLog.detachAppender(logged);
        transcript.setLevel(transcriptLevel);
    }
}
