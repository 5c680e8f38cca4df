package org.depesche.dns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cold and warm MX + TLSA lookups through the validating resolver against
 * the in-process signed test hierarchy (run by bench/dns-lookups.sh; not a
 * test, asserts nothing). "Cold" starts from an empty cache, so the root,
 * TLD and domain keys are fetched and validated; "new zone" has the root and
 * TLD keys cached and meets a domain for the first time; "warm" repeats
 * lookups whose answers are cached. The same for unsigned domains, where a
 * delivery looks up MX and the MX host's address and "insecure" must be
 * proven (InsecurityProof: the DS denials from the root down).
 */
public final class DnsLookupBench {
    private DnsLookupBench() { }

    public static void main(String[] args) {
        int domains = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        long rttMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
        TestDns.Builder b = TestDns.builder();
        for (int i = 0; i < domains; i++) {
            String d = "d" + i + ".test";
            b.signedZone(d).mx(10, "mx." + d).a("mx." + d, "127.0.0.1")
                    .tlsa("_25._tcp.mx." + d, 3, 1, 1, new byte[32]);
            String u = "u" + i + ".test";
            b.unsignedZone(u).mx(10, "mx." + u).a("mx." + u, "127.0.0.1");
        }
        try (TestDns dns = b.start()) {
            dns.latency(Duration.ofMillis(rttMs));
            System.out.printf("dns-lookups: %d signed and %d unsigned domains, simulated round trip %d ms, "
                    + "ECDSA P-256, NSEC%n", domains, domains, rttMs);
            for (int warmup = 0; warmup < 3; warmup++) run(dns, domains, Pair.SIGNED, false);
            System.out.println("signed domains (MX + TLSA of the MX host):");
            run(dns, domains, Pair.SIGNED, true);
            for (int warmup = 0; warmup < 3; warmup++) run(dns, domains, Pair.UNSIGNED, false);
            System.out.println("unsigned domains (MX + A of the MX host, insecure proven):");
            run(dns, domains, Pair.UNSIGNED, true);
        }
    }

    /** The two lookups a delivery makes first: for a signed domain MX and TLSA, for an unsigned one MX and A. */
    private enum Pair {
        SIGNED("d", DnssecStatus.SECURE), UNSIGNED("u", DnssecStatus.INSECURE);

        final String prefix;
        final DnssecStatus expected;

        Pair(String prefix, DnssecStatus expected) {
            this.prefix = prefix;
            this.expected = expected;
        }

        DnsResult second(CachingDnsResolver r, String domain) {
            return this == SIGNED ? r.tlsa(25, "mx." + domain) : r.lookup("mx." + domain, org.xbill.DNS.Type.A);
        }
    }

    private static void run(TestDns dns, int domains, Pair pair, boolean print) {
        List<Long> cold = new ArrayList<>();
        List<Integer> coldQueries = new ArrayList<>();
        for (int i = 0; i < Math.min(domains, 20); i++) {
            CachingDnsResolver fresh = dns.validatingResolver();
            dns.resetQueries();
            cold.add(timeMxTlsa(fresh, pair, pair.prefix + i + ".test"));
            coldQueries.add(dns.queryCount());
            fresh.close();
        }
        CachingDnsResolver r = dns.validatingResolver();
        timeMxTlsa(r, pair, pair.prefix + "0.test");
        List<Long> newZone = new ArrayList<>();
        dns.resetQueries();
        for (int i = 1; i < domains; i++) newZone.add(timeMxTlsa(r, pair, pair.prefix + i + ".test"));
        int newZoneQueries = dns.queryCount();
        List<Long> warm = new ArrayList<>();
        dns.resetQueries();
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < domains; i++) warm.add(timeMxTlsa(r, pair, pair.prefix + i + ".test"));
        }
        int warmQueries = dns.queryCount();
        r.close();
        if (!print) return;
        report("cold (empty cache)", cold, coldQueries.stream().mapToInt(Integer::intValue).average().orElse(0));
        report("new zone (root+TLD keys cached)", newZone, (double) newZoneQueries / Math.max(1, domains - 1));
        report("warm (answers cached)", warm, (double) warmQueries / warm.size());
    }

    private static long timeMxTlsa(CachingDnsResolver r, Pair pair, String domain) {
        long start = System.nanoTime();
        DnsResult mx = r.mx(domain);
        DnsResult second = pair.second(r, domain);
        long took = System.nanoTime() - start;
        if (mx.status() != pair.expected || second.status() != pair.expected) {
            throw new IllegalStateException("not " + pair.expected + ": " + mx + " " + second);
        }
        return took;
    }

    private static void report(String what, List<Long> nanos, double queries) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("  %-34s median %9.1f us  p90 %9.1f us  queries/pair %5.1f  (n=%d)%n", what,
                sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.9)] / 1e3, queries, sorted.length);
        if (sorted.length == 0) System.out.println(Arrays.toString(sorted));
    }
}
