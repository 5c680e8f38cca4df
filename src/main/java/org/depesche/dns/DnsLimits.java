package org.depesche.dns;

import java.time.Duration;

/**
 * Bounds on the work one lookup may cause (THREATS T14, the KeyTrap class of
 * answers) and on the cache. Null means the default.
 *
 * @param queryTimeout        time for one query to one upstream server
 * @param lookupBudget        time for a whole lookup, including every DS/DNSKEY fetch and retry
 * @param maxDnskeys          DNSKEY records in one RRset the validator is given; more makes the answer bogus
 * @param maxRrsigs           RRSIGs over one RRset in an upstream answer; more makes the answer bogus
 * @param maxValidateRrsigs   signature verifications tried per RRset (dnsjava's max_validate_rrsigs)
 * @param maxDsMatchFailures  DS records tried against DNSKEYs before giving up (dnsjava's max_ds_match_failures)
 * @param maxNsec3Iterations  NSEC3 iterations above which a proof is ignored, making the answer insecure (RFC 9276 3.2)
 * @param maxRecords          records in one upstream answer
 * @param cacheEntries        answers kept in the cache
 * @param keyCacheEntries     validated DNSKEY RRsets kept by the validator
 * @param minTtl              shortest time an answer is cached
 * @param maxTtl              longest time an answer (and a validated key) is cached
 * @param negativeTtl         cache time of NXDOMAIN/NODATA when the answer carries no SOA (RFC 2308 5)
 * @param bogusTtl            cache time of a bogus answer (RFC 4035 4.7 suggests a short one)
 */
public record DnsLimits(Duration queryTimeout, Duration lookupBudget, Integer maxDnskeys, Integer maxRrsigs,
                        Integer maxValidateRrsigs, Integer maxDsMatchFailures, Integer maxNsec3Iterations,
                        Integer maxRecords, Integer cacheEntries, Integer keyCacheEntries,
                        Duration minTtl, Duration maxTtl, Duration negativeTtl, Duration bogusTtl) {

    public DnsLimits {
        if (queryTimeout == null) queryTimeout = Duration.ofSeconds(5);
        if (lookupBudget == null) lookupBudget = queryTimeout.multipliedBy(4);
        if (maxDnskeys == null) maxDnskeys = 16;
        if (maxRrsigs == null) maxRrsigs = 16;
        if (maxValidateRrsigs == null) maxValidateRrsigs = 8;
        if (maxDsMatchFailures == null) maxDsMatchFailures = 4;
        if (maxNsec3Iterations == null) maxNsec3Iterations = 150;
        if (maxRecords == null) maxRecords = 500;
        if (cacheEntries == null) cacheEntries = 10_000;
        if (keyCacheEntries == null) keyCacheEntries = 1_000;
        if (minTtl == null) minTtl = Duration.ofSeconds(5);
        if (maxTtl == null) maxTtl = Duration.ofDays(1);
        if (negativeTtl == null) negativeTtl = Duration.ofMinutes(5);
        if (bogusTtl == null) bogusTtl = Duration.ofMinutes(1);
    }

    public static DnsLimits defaults() {
        return new DnsLimits(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public DnsLimits withQueryTimeout(Duration timeout) {
        return new DnsLimits(timeout, null, maxDnskeys, maxRrsigs, maxValidateRrsigs, maxDsMatchFailures,
                maxNsec3Iterations, maxRecords, cacheEntries, keyCacheEntries, minTtl, maxTtl, negativeTtl, bogusTtl);
    }
}
