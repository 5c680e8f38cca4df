package org.depesche.outbound;

import java.util.List;

/** The hosts to try for a domain, or why there are none: temporary (retry) or permanent (bounce). */
sealed interface Route {
    record Hosts(List<MxHost> hosts) implements Route {
    }

    /** {@code status}: the RFC 3463 code the recipients get. */
    record Unroutable(boolean permanent, String status, String reason) implements Route {
    }
}
