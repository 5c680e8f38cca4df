package org.depesche.smtp.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

import org.depesche.directory.Directory;
import org.depesche.smtp.SmtpException;

/**
 * The SASL exchanges of AUTH PLAIN (RFC 4616) and AUTH LOGIN (the
 * de-facto mechanism, draft-murchison-sasl-login), with initial responses
 * (RFC 4954 4). Passwords are kept as bytes and chars only as long as the
 * directory needs them and are wiped afterwards.
 */
final class SaslLogin {

    /** Sends a 334 challenge and returns the client's base64 line; "*" has already become 501. */
    interface Challenger {
        String challenge(String base64) throws IOException, SmtpException;
    }

    private static final String USERNAME = Base64.getEncoder().encodeToString("Username:".getBytes(StandardCharsets.US_ASCII));
    private static final String PASSWORD = Base64.getEncoder().encodeToString("Password:".getBytes(StandardCharsets.US_ASCII));

    private final Challenger challenger;

    SaslLogin(Challenger challenger) {
        this.challenger = challenger;
    }

    /** Runs the exchange for "AUTH mechanism [initial-response]"; empty if the credentials are wrong. */
    Optional<Directory.Account> authenticate(String args, Directory directory) throws IOException, SmtpException {
        String[] parts = args.isEmpty() ? new String[0] : args.split(" +");
        if (parts.length < 1 || parts.length > 2) throw new SmtpException(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        String initial = parts.length == 2 ? parts[1] : null;
        return switch (parts[0].toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> plain(initial, directory);
            case "LOGIN" -> login(initial, directory);
            default -> throw new SmtpException(504, "5.5.4", "Unrecognized authentication type");
        };
    }

    private Optional<Directory.Account> plain(String initial, Directory directory) throws IOException, SmtpException {
        byte[] message = decode(initial != null ? initial : challenger.challenge(""));
        try {
            // RFC 4616 2: [authzid] NUL authcid NUL passwd
            int first = indexOf(message, 0);
            int second = first < 0 ? -1 : indexOf(message, first + 1);
            if (second < 0) throw new SmtpException(501, "5.5.2", "Malformed PLAIN response");
            String authzid = new String(message, 0, first, StandardCharsets.UTF_8);
            String authcid = new String(message, first + 1, second - first - 1, StandardCharsets.UTF_8);
            // Acting as another user is not supported: a different authzid fails like a wrong password.
            if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) return Optional.empty();
            return check(directory, authcid, Arrays.copyOfRange(message, second + 1, message.length));
        } finally {
            Arrays.fill(message, (byte) 0);
        }
    }

    private Optional<Directory.Account> login(String initial, Directory directory) throws IOException, SmtpException {
        byte[] user = decode(initial != null ? initial : challenger.challenge(USERNAME));
        byte[] password = decode(challenger.challenge(PASSWORD));
        return check(directory, new String(user, StandardCharsets.UTF_8), password);
    }

    private static Optional<Directory.Account> check(Directory directory, String login, byte[] password) throws SmtpException {
        char[] chars = null;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(password));
            chars = new char[cb.remaining()];
            cb.get(chars);
            Arrays.fill(cb.array(), '\0');
            if (login.isEmpty() || chars.length == 0) return Optional.empty();
            return directory.authenticate(login, chars);
        } catch (CharacterCodingException e) {
            throw new SmtpException(501, "5.5.2", "Password is not UTF-8");
        } finally {
            Arrays.fill(password, (byte) 0);
            if (chars != null) Arrays.fill(chars, '\0');
        }
    }

    private static byte[] decode(String base64) throws SmtpException {
        if (base64.equals("=")) return new byte[0]; // RFC 4954 4: empty initial response
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new SmtpException(501, "5.5.2", "Invalid base64 data");
        }
    }

    private static int indexOf(byte[] a, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == 0) return i;
        return -1;
    }
}
