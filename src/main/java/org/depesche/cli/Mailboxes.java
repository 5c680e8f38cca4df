package org.depesche.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.depesche.mail.MailAddress;
import org.depesche.store.Durable;
import org.depesche.store.MaildirStore;

/**
 * Creates an account's empty Maildir when the account is created, so that
 * Dovecot (mail_location = maildir:<data>/mail/%d/%n) shows an empty inbox
 * before the first mail, and the layout is visible at once.
 */
final class Mailboxes {
    private Mailboxes() {
    }

    static Path create(Path dataDir, String address) throws IOException {
        // The host name only names delivered files; creating directories does not use it.
        Path maildir = new MaildirStore(dataDir.resolve("mail"), "localhost").maildir(MailAddress.parse(address));
        for (String sub : new String[] {"new", "cur", "tmp"}) Durable.createDirectories(maildir.resolve(sub));
        return maildir;
    }
}
