package org.depesche.smtp.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.mime4j.dom.Header;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.depesche.mail.MailAddress;

/**
 * The header section of a received message as the client sent it, parsed
 * once by mime4j: field names compare case-insensitively and values come
 * unfolded (RFC 5322 2.2, 2.2.3). The input is what {@link MessageSink}
 * kept, at most {@link MessageSink#MAX_HEADER_SECTION} octets, so parsing
 * is bounded; a line that is no field is skipped, as lenient readers do.
 */
final class MessageHeader {
    private final Header header;

    private MessageHeader(Header header) {
        this.header = header;
    }

    static MessageHeader parse(byte[] headerSection) {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        try {
            return new MessageHeader(builder.parseHeader(new ByteArrayInputStream(headerSection)));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only a broken parser fails on bytes in memory
        }
    }

    /** The unfolded values of every field with this name, in order. */
    List<String> values(String name) {
        List<String> values = new ArrayList<>();
        for (Field f : header.getFields(name)) values.add(f.getBody());
        return values;
    }

    /**
     * The mailboxes in every field with this name (From, Sender, ...), as
     * written, group members included; {@code null} marks one that is not a
     * usable address, so a caller can refuse rather than skip it.
     */
    List<ParsedMailbox> mailboxes(String name) {
        List<ParsedMailbox> out = new ArrayList<>();
        for (String value : values(name)) {
            for (Mailbox m : LenientAddressParser.DEFAULT.parseAddressList(value).flatten()) {
                out.add(new ParsedMailbox(m.getAddress(), toAddress(m)));
            }
        }
        return out;
    }

    /** One mailbox: its text as written and the address, or null if it is none we can use. */
    record ParsedMailbox(String written, MailAddress address) {
    }

    private static MailAddress toAddress(Mailbox m) {
        if (m.getLocalPart() == null || m.getDomain() == null) return null;
        try {
            return MailAddress.parse(m.getLocalPart() + "@" + m.getDomain());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
