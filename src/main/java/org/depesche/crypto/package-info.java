/**
 * Password hashing for the account directory: Argon2id (RFC 9106) with the
 * parameters OWASP recommends as a minimum (m=19 MiB, t=2, p=1), stored in
 * the PHC string format that libargon2 and Dovecot's ARGON2ID scheme read, so
 * a directory can be shared with Dovecot for IMAP logins. Parameters are
 * parsed from each stored hash so they can be raised without invalidating
 * old ones. Also a generator for readable random passwords.
 */
package org.depesche.crypto;
