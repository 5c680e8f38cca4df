package org.depesche.smtp;

/**
 * A protocol-level refusal: thrown by command handlers and answered with its
 * reply in one place, the session loop. Not for bugs.
 */
public final class SmtpException extends Exception {
    private final Reply reply;

    public SmtpException(Reply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    public SmtpException(int code, String enhanced, String text) {
        this(Reply.of(code, enhanced, text));
    }

    public Reply reply() { return reply; }
}
