/**
 * The account directory: local domains, accounts with Argon2id password
 * hashes (RFC 9106) and aliases, kept in one JSON file that the CLI writes
 * and a running server re-reads when it changes. Resolution covers exact
 * accounts, aliases, subaddresses ({@code user+tag@}, the convention of
 * RFC 5233) and postmaster@ for every local domain (RFC 5321 4.5.1).
 * Local parts are compared case-insensitively, which RFC 5321 2.4 permits
 * a receiving host to do for its own mailboxes. Domains (local, secure alias)
 * are stored and compared by their {@code mail.DomainName} key (UTS #46,
 * A-labels), so every spelling of a domain is the same domain. A change is
 * made under {@code directory.lock}, waited for at most ten seconds; the data
 * directory is created 0700 and the lock file 0600, so other local users can
 * neither read the file nor hold the lock (issue 8 finding 10).
 */
package org.depesche.directory;
