package org.depesche.mtasts;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes cached MTA-STS policies before they expire (RFC 8461 3.3, 10.2),
 * every {@code interval} for the policies that expire within {@code ahead}.
 * A failure is logged and retried at the next run; it never stops the
 * server, and the cached policy stays in force until it expires. The
 * fetches go through the cache's fetch pool and deadline, as delivery's do,
 * so a stalled policy host delays a pass by one deadline at most (THREATS T14).
 */
public final class PolicyRefresher implements AutoCloseable {
    /** Hourly, for policies that expire within a day: a policy host may be down for most of a day without a policy lapsing. */
    public static final Duration INTERVAL = Duration.ofHours(1);
    public static final Duration AHEAD = Duration.ofDays(1);

    private static final Logger log = LoggerFactory.getLogger(PolicyRefresher.class);

    private final PolicyCache cache;
    private final Duration interval;
    private final Duration ahead;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("mta-sts-refresh").factory());

    public PolicyRefresher(PolicyCache cache, Duration interval, Duration ahead) {
        this.cache = cache;
        this.interval = interval;
        this.ahead = ahead;
    }

    /** The first run right away: the server may have been down while policies came close to expiry. */
    public void start() {
        timer.scheduleWithFixedDelay(this::runOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass over the cache; never throws, so the schedule keeps running. */
    public void runOnce() {
        try {
            List<String> refreshed = cache.refreshExpiring(ahead);
            if (!refreshed.isEmpty()) log.info("event=mta-sts-refreshed domains={}", refreshed);
        } catch (Exception e) {
            log.error("event=mta-sts-refresh-failed error=\"{}\"", e.getMessage());
        }
    }

    /** Stops the schedule; a refresh in progress stops waiting for its fetch, which ends by its deadline anyway. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
