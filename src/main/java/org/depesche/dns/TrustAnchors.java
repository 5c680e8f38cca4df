package org.depesche.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Trust anchors in zone file format (DS or DNSKEY records), as dnsjava's validator reads them. */
public final class TrustAnchors {
    private TrustAnchors() { }

    /**
     * The IANA root zone KSKs: KSK-2017 (key tag 20326) and KSK-2024 (38696),
     * from https://data.iana.org/root-anchors/root-anchors.xml.
     */
    public static final String IANA_ROOT = """
            . 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
            . 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
            """;

    /** Reads a trust anchor file; fails with a message naming the file. */
    public static String read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (!text.matches("(?s).*\\b(DS|DNSKEY)\\b.*")) {
                throw new IllegalArgumentException("trust anchor file " + file + " holds no DS or DNSKEY record");
            }
            return text;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read trust anchor file " + file + ": " + e.getMessage(), e);
        }
    }
}
