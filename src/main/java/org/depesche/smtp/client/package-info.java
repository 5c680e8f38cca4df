/**
 * The SMTP client for outbound delivery (RFC 5321 3.3, 4.1, 4.2, 4.5.3.2
 * client timeouts, 4.5.2 dot-stuffing) over blocking sockets: EHLO with HELO
 * fallback only where plaintext is allowed, STARTTLS (RFC 3207) with SNI set
 * to the MX host name and TLS 1.2/1.3 only, PIPELINING (RFC 2920 3.1: MAIL,
 * RCPT and DATA in one group), SIZE (RFC 1870), 8BITMIME (RFC 6152),
 * SMTPUTF8 (RFC 6531) and ENHANCEDSTATUSCODES (RFC 2034). The server is
 * authenticated as its {@link org.depesche.smtp.client.TlsRequirement}
 * demands: DANE (RFC 7672 3.1, 3.2, 2.2.3; RFC 6698, RFC 7671, in
 * org.depesche.dane), PKIX with the MX name (RFC 6125 6.4 / RFC 9525 6.3) or
 * pinned fingerprints, and no MAIL FROM leaves before that requirement is met
 * (THREATS T1, T2). {@link org.depesche.smtp.client.SmtpClient#check} (behind
 * {@link org.depesche.smtp.client.ServerProbe}) runs the same session code
 * up to the point where MAIL FROM would follow, then QUITs.
 * Not implemented: BDAT (RFC 3030; DATA is always used,
 * it is mandatory for every server), AUTH, DSN parameters (RFC 3461),
 * reconnecting in plaintext after a failed opportunistic handshake (the
 * caller decides, as Postfix does). REQUIRETLS (RFC 8689 2, 4.2.1 step 5):
 * the MAIL parameter is sent when the EHLO reply inside TLS offers it, and
 * a message that requires it ends with QUIT before MAIL FROM where it is
 * not offered. A PKIX check can be made without enforcing it (MTA-STS
 * testing mode, RFC 8461 5.2). Reply text is made
 * {@link org.depesche.smtp.Printable} as it is read, and so are the words an
 * attempt says about the peer, so no stored result, bounce or log line
 * holds a server's escape sequences (issue 8 finding 9). Why TLS failed is a
 * {@link org.depesche.transport.TlsFailure} on the attempt's
 * {@link org.depesche.smtp.client.TlsOutcome} (the RFC 8460 4.3 result types:
 * starttls-not-supported, certificate-host-mismatch, certificate-expired,
 * certificate-not-trusted, validation-failure for pins, tlsa-invalid; and
 * Depesche's own starttls-refused, handshake-failed, requiretls-not-offered),
 * and the outcome puts the connection on the
 * {@link org.depesche.transport.Strength} scale.
 */
package org.depesche.smtp.client;
