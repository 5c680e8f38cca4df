package org.depesche.outbound;

import java.util.List;

/** The hosts to try for a domain, or why there are none: temporary (retry) or permanent (bounce). */
sealed interface Route {
    /** {@code implicit}: the domain has no MX records and is its own MX (RFC 5321 5.1). */
    record Hosts(List<MxHost> hosts, boolean implicit) implements Route {
    }

    /** {@code status}: the RFC 3463 code the recipients get. */
    record Unroutable(boolean permanent, String status, String reason) implements Route {
    }
}
