/**
 * SMTP wire types shared by the server and the client: replies with
 * RFC 3463 enhanced status codes (RFC 5321 4.2), the protocol exception
 * answered in one place, and the printable form of peer-supplied text. The
 * value types the other layers share (addresses, domain names, TLS facts)
 * live in {@code org.depesche.mail}.
 */
package org.depesche.smtp;
