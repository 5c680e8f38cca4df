/**
 * The SMTP server: the MX listener (RFC 5321) and submission on 587 with
 * STARTTLS and on 465 with implicit TLS (RFC 6409, RFC 8314 3.3), with
 * PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8
 * (RFC 6531), ENHANCEDSTATUSCODES (RFC 2034, RFC 3463), CHUNKING/BDAT
 * (RFC 3030), STARTTLS (RFC 3207, discarding pipelined plaintext, THREATS
 * T11) and AUTH PLAIN/LOGIN (RFC 4954, RFC 4616) only inside TLS (T8).
 * REQUIRETLS (RFC 8689 2, 4.1) is offered and accepted only inside TLS;
 * it, a {@code TLS-Required: No} field (RFC 8689 3) and, on submission,
 * the floor a secure sender asks for are stored with the message.
 * DATA ends only at CRLF.CRLF and bare CR or LF is refused (RFC 5321 4.5.2,
 * T12); nothing is relayed and submitters may only use their own addresses
 * in MAIL FROM and From (T13). RCPT to a secure address is refused on a
 * session without TLS (T2b), and its owner gets a digest of such
 * refusals, at most one an hour, from the null sender (RFC 5321 4.5.5) and
 * marked auto-generated (RFC 3834 5); what is not yet sent is kept in the
 * {@link org.depesche.store.RefusalStore} the server is given, not in
 * files of its own. Every limit of RFC 5321 4.5.3 is enforced,
 * and beyond its per-command timeouts (4.5.3.2) a junk-command limit, a
 * minimum data rate and a session time limit keep slow clients from
 * holding a connection forever (T14). Peer text reaches logs and echoing
 * replies only through {@link org.depesche.smtp.Printable}. A Received header records TLS version and cipher (RFC 5321 4.4,
 * RFC 3848, RFC 8314 4.3). Not implemented: DSN (RFC 3461), BINARYMIME,
 * SPF/DKIM checks on the MX listener.
 */
package org.depesche.smtp.server;
