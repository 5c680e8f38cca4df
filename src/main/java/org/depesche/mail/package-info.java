/**
 * The value types every layer shares, so that the queue, the directory and
 * the mailbox store need not import the SMTP protocol package: mailbox
 * addresses (RFC 5321 4.1.2, RFC 6531 for internationalised ones), the one
 * comparison key of a domain name ({@code DomainName}: UTS #46
 * nontransitional processing to A-labels, RFC 5890/5891; implemented with
 * ICU4J), the body type a message was announced with (RFC 6152) and the TLS
 * facts of the hop it came in on (RFC 8314 4.3).
 */
package org.depesche.mail;
