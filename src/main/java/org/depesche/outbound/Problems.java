package org.depesche.outbound;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.depesche.queue.Excerpt;

/**
 * Why the MX hosts of one domain did not take a message in one round, each
 * reason once, in order, and whether each will pass by itself (connection,
 * timeout, 4xx, a policy waiting for DNS) or is what the message demands
 * and cannot get there (RFC 8689 4.2.1): only the latter, on every host,
 * makes the message bounce now.
 */
final class Problems {
    /** Reasons put into words: the last ones, from the hosts tried most recently. */
    static final int SHOWN = 3;
    /** Each reason at most this long: one may quote the whole reply of a hostile MX (THREATS T14). */
    static final int REASON = 400;

    private final Set<String> all = new LinkedHashSet<>();
    private final List<String> demanded = new ArrayList<>();
    private final Set<String> statuses = new LinkedHashSet<>();
    private boolean anyPassing;

    void passing(String reason) {
        all.add(Excerpt.of(reason, REASON));
        anyPassing = true;
    }

    /** {@code status}: the RFC 3463 code a bounce for this reason carries. */
    void demanded(String status, String reason) {
        String r = Excerpt.of(reason, REASON);
        if (all.add(r)) demanded.add(r);
        statuses.add(status);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    /** True if some host was refused for the message's demand and nothing else stood in the way. */
    boolean onlyDemanded() {
        return !anyPassing && !demanded.isEmpty();
    }

    /** Every reason, in bounded words ({@link #inWords}); "" if there is none. */
    String all() {
        return inWords(all);
    }

    /** The reasons that failed the message's demand, in bounded words. */
    String demanded() {
        return inWords(demanded);
    }

    /**
     * The last {@link #SHOWN} reasons joined with "; ", after a count of
     * those left out: at most about 1.2 KB however many MX hosts a domain
     * has, since each reason is kept to {@link #REASON} chars.
     */
    private static String inWords(Collection<String> reasons) {
        List<String> l = List.copyOf(reasons);
        List<String> shown = l.subList(Math.max(0, l.size() - SHOWN), l.size());
        String left = l.size() > SHOWN ? (l.size() - SHOWN) + " earlier not shown; " : "";
        return left + String.join("; ", shown);
    }

    /** RFC 8689 4.2.1: 5.7.30 when a host lacked REQUIRETLS, else the first status given. */
    String status(String requireTlsStatus) {
        return statuses.contains(requireTlsStatus) ? requireTlsStatus : statuses.iterator().next();
    }
}
