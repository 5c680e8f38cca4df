package org.depesche.mtasts;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link PolicyCache} keeps the MTA-STS policies it fetched, so that a
 * restart finds them (RFC 8461 5.1, 10.3: a known policy must survive an
 * attacker who blocks the policy host). One entry per domain, under the
 * {@link org.depesche.mail.DomainName} key the cache hands in; the cache
 * decides what is fetched, valid and used, the store only keeps it. An
 * entry's expiry is its fetch time plus its policy's max_age. Implementation:
 * {@link FilePolicyStore}.
 */
public interface PolicyStore {

    /** The entry of a domain key, expired or not; an IOException when it is kept but cannot be read. */
    Optional<PolicyCache.Entry> get(String domainKey) throws IOException;

    /** Keeps {@code entry} in place of its domain's, durably before returning; safe from several threads. */
    void put(PolicyCache.Entry entry) throws IOException;

    /** Every entry kept, expired or not. */
    List<PolicyCache.Entry> all() throws IOException;
}
