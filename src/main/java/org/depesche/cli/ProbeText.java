package org.depesche.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.depesche.outbound.ProbeReport;
import org.depesche.policy.DowngradeMemory;

/** `depesche probe` for a mail administrator: one aligned block, the level first. */
final class ProbeText {
    private ProbeText() {
    }

    static void print(ProbeReport r, PrintWriter out) {
        out.println(r.domain() + (r.query().equalsIgnoreCase(r.domain()) ? "" : " (for " + r.query() + ")")
                + ", checked " + r.checkedAt());
        row(out, "", "Level:", r.level().words());
        row(out, "", "", r.summary());
        if (!r.demand().equals("none")) row(out, "", "For:", demand(r.demand()));
        if (r.route() != null) row(out, "", "Route:", route(r.route()));
        if (r.policy() != null) row(out, "", "Policy:", policy(r.policy()));
        if (r.policy() != null && r.policy().remembered() != null)
            row(out, "", "Memory:", remembered(r.domain(), r.policy().remembered()));
        if (r.mtaSts() != null) row(out, "", "MTA-STS:", mtaSts(r.mtaSts()));
        for (ProbeReport.Mx mx : r.mx()) mx(out, mx);
        if (!r.notes().isEmpty()) {
            out.println("Notes:");
            for (String n : r.notes()) out.println("  - " + n);
        }
    }

    private static void row(PrintWriter out, String indent, String label, String value) {
        out.println(String.format("%s%-" + (13 - indent.length()) + "s%s", indent, label, value).stripTrailing());
    }

    private static String demand(String d) {
        return switch (d) {
            case "requiretls" -> "a message with REQUIRETLS (RFC 8689)";
            case "authenticated" -> "mail from a secure address (authenticated TLS only)";
            default -> "a message demanding " + d + " TLS";
        };
    }

    private static String route(ProbeReport.Route route) {
        String kind = switch (route.kind()) {
            case "mx" -> "MX records";
            case "implicit-mx" -> "no MX records: the domain itself is the MX (RFC 5321 5.1)";
            case "null-mx" -> "null MX: the domain accepts no mail (RFC 7505)";
            case "local" -> "local domain";
            default -> "none";
        };
        return kind + (route.dnssec() == null ? "" : ", DNSSEC " + route.dnssec())
                + (route.problem() == null || route.kind().equals("null-mx") ? "" : ": " + route.problem());
    }

    private static String policy(ProbeReport.Policy p) {
        return "level " + p.level() + (p.fromTable() ? " ([[delivery.policy]] entry" + (p.pins().isEmpty() ? ")"
                : ", pins " + String.join(", ", p.pins()) + ")") : " (default_tls_level)")
                + (p.remembered() == null ? "; downgrade memory: nothing remembered" : "");
    }

    private static String remembered(String domain, ProbeReport.Remembered m) {
        return "reached " + DowngradeMemory.named(m.protection()).with() + " via " + m.mx() + " at " + m.at()
                + "; less is refused until `depesche policy reset " + domain + "`";
    }

    private static String mtaSts(ProbeReport.MtaSts s) {
        List<String> parts = new ArrayList<>();
        if (s.recordId() != null) parts.add("TXT id " + s.recordId());
        else if (s.error() == null) parts.add("no _mta-sts TXT record");
        if (s.mode() != null) {
            parts.add("policy mode " + s.mode() + ", mx " + String.join(" ", s.mxPatterns()) + ", max_age " + s.maxAge()
                    + (s.fetchedNow() ? ", fetched now" : ", cached since " + s.fetchedAt()) + ", expires " + s.expires());
        }
        if (s.error() != null) parts.add(s.recordId() == null ? s.error() : "fetch failed: " + s.error());
        return String.join("; ", parts);
    }

    private static void mx(PrintWriter out, ProbeReport.Mx mx) {
        out.println(String.format("MX %-3d %-40s %s", mx.preference(), mx.host(), mx.level().words()));
        row(out, "  ", "DNS:", "MX " + (mx.mxSecure() ? "secure" : "not secure") + ", addresses " + mx.addressDnssec()
                + (mx.addresses().isEmpty() ? "" : ": " + String.join(" ", mx.addresses())));
        if (mx.tlsa() != null) {
            ProbeReport.Tlsa t = mx.tlsa();
            row(out, "  ", "TLSA:", t.name() + " " + t.result() + ", DNSSEC " + t.dnssec());
            for (ProbeReport.TlsaEntry e : t.records()) row(out, "  ", "", abbreviate(e.record()) + (e.usable() ? "  usable" : "  unusable"));
        }
        row(out, "  ", "Requires:", mx.requirement() + ": " + mx.reason());
        for (ProbeReport.Connection c : mx.connections()) connection(out, c);
    }

    private static void connection(PrintWriter out, ProbeReport.Connection c) {
        String tls = c.tls().equals("none") ? (c.starttlsOffered() ? "no TLS" : "no TLS (STARTTLS not offered)")
                : c.tls() + ", auth " + c.authentication() + (c.requireTls() ? ", REQUIRETLS offered" : ", no REQUIRETLS");
        row(out, "  ", c.ip() + ":", tls + " -> " + c.level().words());
        if (!c.certificateNames().isEmpty() || c.pkixValid() != null)
            row(out, "  ", "", certificate(c.certificateNames())
                    + (Boolean.TRUE.equals(c.pkixValid()) ? " (PKIX-valid)" : " (not PKIX-valid)"));
        if (!c.message().isEmpty()) row(out, "  ", "", c.message());
    }

    /** Many self-signed MX certificates name their host only in the subject CN, which RFC 9525 6.3 ignores. */
    private static String certificate(List<String> dnsNames) {
        return dnsNames.isEmpty() ? "certificate without a DNS name in subjectAltName"
                : "certificate for " + String.join(", ", dnsNames);
    }

    /** TLSA data can be 64 bytes of hex; the start and end identify it. */
    private static String abbreviate(String record) {
        String[] p = record.split(" ", 4);
        if (p.length < 4 || p[3].length() <= 24) return record;
        return p[0] + " " + p[1] + " " + p[2] + " " + p[3].substring(0, 12) + "..." + p[3].substring(p[3].length() - 8);
    }
}
