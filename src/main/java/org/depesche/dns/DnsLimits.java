package org.depesche.dns;

import java.time.Duration;

/**
 * Bounds on the work one lookup may cause (THREATS T14, the KeyTrap class of
 * answers) and on the cache, in three groups: how long, how much validation
 * work, how much is kept. Null means the default; {@link #builder()} names
 * each value, so that two of them cannot be swapped.
 */
public record DnsLimits(Time time, Work work, Cache cache) {

    public DnsLimits {
        if (time == null) time = new Time(null, null);
        if (work == null) work = new Work(null, null, null, null, null, null);
        if (cache == null) cache = new Cache(null, null, null, null, null, null);
    }

    /**
     * @param query        time for one query to one upstream server
     * @param lookupBudget time for a whole lookup, including every DS/DNSKEY fetch and retry
     */
    public record Time(Duration query, Duration lookupBudget) {
        public Time {
            if (query == null) query = Duration.ofSeconds(5);
            if (lookupBudget == null) lookupBudget = query.multipliedBy(4);
        }
    }

    /**
     * @param maxDnskeys         DNSKEY records in one RRset the validator is given; more makes the answer bogus
     * @param maxRrsigs          RRSIGs over one RRset in an upstream answer; more makes the answer bogus
     * @param maxValidateRrsigs  signature verifications tried per RRset (dnsjava's max_validate_rrsigs)
     * @param maxDsMatchFailures DS records tried against DNSKEYs before giving up (dnsjava's max_ds_match_failures)
     * @param maxNsec3Iterations NSEC3 iterations above which a proof is ignored, making the answer insecure (RFC 9276 3.2)
     * @param maxRecords         records in one upstream answer
     */
    public record Work(Integer maxDnskeys, Integer maxRrsigs, Integer maxValidateRrsigs, Integer maxDsMatchFailures,
                       Integer maxNsec3Iterations, Integer maxRecords) {
        public Work {
            if (maxDnskeys == null) maxDnskeys = 16;
            if (maxRrsigs == null) maxRrsigs = 16;
            if (maxValidateRrsigs == null) maxValidateRrsigs = 8;
            if (maxDsMatchFailures == null) maxDsMatchFailures = 4;
            if (maxNsec3Iterations == null) maxNsec3Iterations = 150;
            if (maxRecords == null) maxRecords = 500;
        }
    }

    /**
     * @param entries     answers kept in the cache
     * @param keyEntries  validated DNSKEY RRsets kept by the validator
     * @param minTtl      shortest time an answer is cached
     * @param maxTtl      longest time an answer (and a validated key) is cached
     * @param negativeTtl cache time of NXDOMAIN/NODATA when the answer carries no SOA (RFC 2308 5)
     * @param bogusTtl    cache time of a bogus answer (RFC 4035 4.7 suggests a short one)
     */
    public record Cache(Integer entries, Integer keyEntries, Duration minTtl, Duration maxTtl, Duration negativeTtl,
                        Duration bogusTtl) {
        public Cache {
            if (entries == null) entries = 10_000;
            if (keyEntries == null) keyEntries = 1_000;
            if (minTtl == null) minTtl = Duration.ofSeconds(5);
            if (maxTtl == null) maxTtl = Duration.ofDays(1);
            if (negativeTtl == null) negativeTtl = Duration.ofMinutes(5);
            if (bogusTtl == null) bogusTtl = Duration.ofMinutes(1);
        }
    }

    public static DnsLimits defaults() {
        return new DnsLimits(null, null, null);
    }

    /** The same limits with another query timeout, and the lookup budget that follows from it. */
    public DnsLimits withQueryTimeout(Duration timeout) {
        return new DnsLimits(new Time(timeout, null), work, cache);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Limits by name; whatever is not set has its default. */
    public static final class Builder {
        private Duration queryTimeout;
        private Duration lookupBudget;
        private Integer cacheEntries;
        private Duration minTtl;
        private Duration maxTtl;

        private Builder() {
        }

        public Builder queryTimeout(Duration d) {
            queryTimeout = d;
            return this;
        }

        public Builder lookupBudget(Duration d) {
            lookupBudget = d;
            return this;
        }

        public Builder cacheEntries(int n) {
            cacheEntries = n;
            return this;
        }

        public Builder minTtl(Duration d) {
            minTtl = d;
            return this;
        }

        public Builder maxTtl(Duration d) {
            maxTtl = d;
            return this;
        }

        public DnsLimits build() {
            return new DnsLimits(new Time(queryTimeout, lookupBudget), null,
                    new Cache(cacheEntries, null, minTtl, maxTtl, null, null));
        }
    }
}
