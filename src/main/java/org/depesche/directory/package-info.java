/**
 * The account directory: local domains, accounts with Argon2id password
 * hashes (RFC 9106) and aliases. Resolution covers exact accounts, aliases
 * (one level: a target is an account), subaddresses ({@code user+tag@}, the
 * convention of RFC 5233) and postmaster@ for every local domain (RFC 5321
 * 4.5.1); the bare {@code <Postmaster>} (RFC 5321 4.1.1.3) is postmaster@ of
 * the first local domain. Local parts are compared case-insensitively, which
 * RFC 5321 2.4 permits a receiving host to do for its own mailboxes. Domains
 * (local, secure alias) are stored and compared by their
 * {@code mail.DomainName} key (UTS #46, A-labels; {@link
 * org.depesche.directory.DirectoryKeys} is the one place that normalises),
 * so every spelling of a domain is the same domain.
 *
 * <p>The seam: {@link org.depesche.directory.Directory} is what the server
 * asks, {@link org.depesche.directory.DirectoryAdmin} adds the listings and
 * changes the CLI makes. {@link org.depesche.directory.StoredDirectory}
 * answers both for every backend: questions go to {@code RoutingRules} over
 * an immutable {@code DirectorySnapshot} (the stored content with the
 * [secure] entries of depesche.toml laid over it, {@link
 * org.depesche.directory.SecureSettings}), changes are {@code
 * DirectoryChange}s the backend applies atomically. The backend today is
 * {@link org.depesche.directory.FileDirectory}: one JSON file that the CLI
 * writes and a running server re-reads when it changes. A change is made
 * under {@code directory.lock}, waited for at most ten seconds; the data
 * directory is created 0700 and the lock file 0600, so other local users can
 * neither read the file nor hold the lock (issue 8 finding 10).
 * {@code DirectoryContractTest} holds the file backend and the in-memory
 * test double to the same answers.
 */
package org.depesche.directory;
