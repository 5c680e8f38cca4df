package org.depesche.config;

import java.time.Duration;

/**
 * Every limit on what a peer controls, in one record (THREATS T14). Defaults
 * follow RFC 5321 4.5.3 where it names a value and Postfix's defaults
 * otherwise.
 */
@Doc("Limits on what a peer may do. Exceeding one gives the RFC reply and, where it says so, a disconnect; the server keeps serving everyone else.")
public record Limits(
        @Doc("Connections open at once, over all listeners. Beyond it a new client gets 421 4.7.0 and is disconnected.")
        Integer maxConnections,
        @Doc("Connections open at once from one IP address.")
        Integer maxConnectionsPerIp,
        @Doc("Time a client has to send one complete command line (RFC 5321 4.5.3.2.7 asks for at least 5 minutes).")
        Duration commandTimeout,
        @Doc("Time a client has to send each line or chunk of message data (RFC 5321 4.5.3.2.5 and 4.5.3.2.6).")
        Duration dataTimeout,
        @Doc("Longest command line in octets including CRLF (RFC 5321 4.5.3.1.4 requires at least 512).")
        Integer maxCommandLine,
        @Doc("Longest line of message data in octets including CRLF. RFC 5322 asks for 1000 at most; longer ones are common in practice.")
        Integer maxDataLine,
        @Doc("Largest message in octets, announced with SIZE (RFC 1870).")
        Long maxMessageSize,
        @Doc("Recipients per message; more get 452 4.5.3 (RFC 5321 4.5.3.1.8 requires at least 100).")
        Integer maxRecipients,
        @Doc("Protocol errors (bad commands, refused recipients) before the server answers 421 4.7.0 and disconnects.")
        Integer maxErrors,
        @Doc("Failed AUTH attempts on one connection before it is closed. Each failure is answered more slowly than the last.")
        Integer maxAuthFailures,
        @Doc("Free disk space the queue keeps in reserve: below it, new mail gets 452 4.3.1 rather than risking a truncated message.")
        Long minFreeDisk,
        @Doc("Commands that move no mail (NOOP, RSET, VRFY, EXPN, HELP, and EHLO or HELO after the first) allowed per connection; one more gets 421 4.7.0 and a disconnect. The count starts again after each accepted message (like Postfix smtpd_junk_command_limit).")
        Integer junkCommandLimit,
        @Doc("Slowest message data accepted, in octets per second: a message sent with DATA or BDAT must arrive within data_timeout plus its size at this rate, else 421 4.4.2, a disconnect and nothing queued (like Postfix smtpd_min_data_rate). Each read still has data_timeout. 0 turns the rate off.")
        Integer minDataRate,
        @Doc("Longest connection. Once it is over, the next command gets 421 4.4.2 and a disconnect; a message whose data is under way is received and answered first.")
        Duration maxSessionTime) {

    public Limits {
        if (maxConnections == null) maxConnections = 1000;
        if (maxConnectionsPerIp == null) maxConnectionsPerIp = 20;
        if (commandTimeout == null) commandTimeout = Duration.ofMinutes(5);
        if (dataTimeout == null) dataTimeout = Duration.ofMinutes(3);
        if (maxCommandLine == null) maxCommandLine = 2048;
        if (maxDataLine == null) maxDataLine = 16384;
        if (maxMessageSize == null) maxMessageSize = 50L * 1024 * 1024;
        if (maxRecipients == null) maxRecipients = 100;
        if (maxErrors == null) maxErrors = 10;
        if (maxAuthFailures == null) maxAuthFailures = 3;
        if (minFreeDisk == null) minFreeDisk = 100L * 1024 * 1024;
        if (junkCommandLimit == null) junkCommandLimit = 100;
        if (minDataRate == null) minDataRate = 500;
        if (maxSessionTime == null) maxSessionTime = Duration.ofMinutes(30);
    }

    public static Limits defaults() {
        return new Limits(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
