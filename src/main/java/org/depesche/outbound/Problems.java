package org.depesche.outbound;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Why the MX hosts of one domain did not take a message in one round, each
 * reason once, in order, and whether each will pass by itself (connection,
 * timeout, 4xx, a policy waiting for DNS) or is what the message demands
 * and cannot get there (RFC 8689 4.2.1): only the latter, on every host,
 * makes the message bounce now.
 */
final class Problems {
    private final Set<String> all = new LinkedHashSet<>();
    private final List<String> demanded = new ArrayList<>();
    private final Set<String> statuses = new LinkedHashSet<>();
    private boolean anyPassing;

    void passing(String reason) {
        all.add(reason);
        anyPassing = true;
    }

    /** {@code status}: the RFC 3463 code a bounce for this reason carries. */
    void demanded(String status, String reason) {
        if (all.add(reason)) demanded.add(reason);
        statuses.add(status);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    /** True if some host was refused for the message's demand and nothing else stood in the way. */
    boolean onlyDemanded() {
        return !anyPassing && !demanded.isEmpty();
    }

    List<String> all() {
        return List.copyOf(all);
    }

    List<String> demanded() {
        return List.copyOf(demanded);
    }

    /** RFC 8689 4.2.1: 5.7.30 when a host lacked REQUIRETLS, else the first status given. */
    String status(String requireTlsStatus) {
        return statuses.contains(requireTlsStatus) ? requireTlsStatus : statuses.iterator().next();
    }
}
