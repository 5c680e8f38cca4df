/**
 * SMTP wire types shared by the server and (later) the client: replies with
 * RFC 3463 enhanced status codes (RFC 5321 4.2), mailbox addresses
 * (RFC 5321 4.1.2, RFC 6531 for internationalised ones), the one comparison
 * key of a domain name ({@code DomainName}: UTS #46 nontransitional
 * processing to A-labels, RFC 5890/5891; implemented with ICU4J), the protocol
 * exception answered in one place, and the TLS facts of a hop (RFC 8314 4.3).
 */
package org.depesche.smtp;
