/**
 * The value types every layer shares, so that the queue, the directory and
 * the mailbox store need not import the SMTP protocol package: mailbox
 * addresses (RFC 5321 4.1.2, RFC 6531 for internationalised ones), the body
 * type a message was announced with (RFC 6152) and the TLS facts of the hop
 * it came in on (RFC 8314 4.3).
 *
 * <p>Domain names have one normalisation, here and nowhere else: UTS #46
 * nontransitional processing to lower-case A-labels (RFC 5890 2.3.2.1,
 * RFC 5891 4.2, RFC 5893; implemented with ICU4J) without the trailing dot
 * of an absolute name. {@code DomainName.key} applies it to a string, for
 * the places that keep a domain as a string key (directory, policy table,
 * downgrade memory, MTA-STS cache); {@code Domain} is a domain as a value,
 * normalised when it is made, so equal values are one domain; a name UTS #46
 * rejects is an {@code InvalidDomainException}. {@code DomainName.hostKey}
 * is the same key for host names that need not be IDNA domains (DNS and
 * RFC 1123 allow an '_' or a "--" in the third and fourth place): those
 * compare in lower case without the trailing dot, as DNS compares them
 * (RFC 4343). Not here: DNS wire names (dnsjava {@code Name}, absolute, in
 * {@code dns}) and certificate name matching (RFC 6125 / RFC 9525, in
 * {@code dane.CertificateNames}), which follow their own rules.
 */
package org.depesche.mail;
