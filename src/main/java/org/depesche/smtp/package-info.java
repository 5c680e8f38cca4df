/**
 * SMTP wire types shared by the server and (later) the client: replies with
 * RFC 3463 enhanced status codes (RFC 5321 4.2), mailbox addresses
 * (RFC 5321 4.1.2, RFC 6531 for internationalised ones), the protocol
 * exception answered in one place, and the TLS facts of a hop (RFC 8314 4.3).
 */
package org.depesche.smtp;
