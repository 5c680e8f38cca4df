/**
 * Mailbox storage, and the store of pending refusal notices.
 * {@link org.depesche.store.MailboxStore} is what delivery needs (append once
 * per delivery key, durably, seen whole or not at all) and what a reader such
 * as a later IMAP server needs (a message back by its key); {@link org.depesche.store.MaildirStore}
 * implements it as Maildir++ the way Dovecot reads it (the Maildir delivery
 * protocol tmp/ then new/, file names with S= and W= sizes, LF line ends),
 * each step fsynced so that a stored message survives a crash (RFC 5321 6.1:
 * delivery ends the server's responsibility only once the mail is safe).
 * {@link org.depesche.store.RefusalStore} keeps what the SMTP server's
 * refusal digests have not yet told the owners of secure addresses, so the
 * protocol code never touches a file; {@link org.depesche.store.FileRefusalStore}
 * keeps it as one JSON file per account. {@link org.depesche.store.Durable}
 * holds the fsync and whole-file replacement patterns every file store uses,
 * {@link org.depesche.store.JsonFiles} the reading and writing of the small
 * stores' JSON files.
 * Not yet: Maildir++ folders, quotas, flags and UIDs (an IMAP server needs
 * them; Dovecot keeps its own dovecot-uidlist today).
 */
package org.depesche.store;
