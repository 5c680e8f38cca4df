package org.depesche.mtasts;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where policy fetches run (THREATS T14): on threads of their own, at most
 * {@link #CONCURRENT} at once and {@link #WAITING} more in line, never on
 * the thread that needs the policy (a delivery worker, the refresher). A
 * request for a domain whose fetch is in progress joins that fetch, so a
 * hundred messages for one slow domain make one request to its policy host.
 * The caller waits at most {@code wait} (the fetcher's deadline, which also
 * ends the fetch itself); a policy that arrives after the caller gave up is
 * still stored by the fetch, for the next message.
 */
final class FetchPool {
    /** Fetches at once: each is one HTTPS connection, and a fetch normally takes well under a second. */
    static final int CONCURRENT = 4;
    /** Fetches of further domains in line; beyond them a fetch fails at once as {@link PolicyException.Reason#BUSY}. */
    static final int WAITING = 64;

    /** One fetch: gets and stores the policy. */
    @FunctionalInterface
    interface Fetch {
        PolicyCache.Entry run() throws PolicyException, IOException;
    }

    private final Duration wait;
    private final ThreadPoolExecutor threads;
    private final Map<String, CompletableFuture<PolicyCache.Entry>> inProgress = new ConcurrentHashMap<>();

    FetchPool(Duration wait) {
        this.wait = wait;
        this.threads = new ThreadPoolExecutor(CONCURRENT, CONCURRENT, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(WAITING),
                Thread.ofVirtual().name("mta-sts-fetch-", 0).factory());
        threads.allowCoreThreadTimeOut(true); // an idle pool keeps no thread
    }

    /** The policy {@code fetch} brings for {@code domain}, or the fetch in progress for it, waited for at most {@code wait}. */
    PolicyCache.Entry await(String domain, Fetch fetch) throws PolicyException, IOException {
        CompletableFuture<PolicyCache.Entry> result;
        try {
            result = inProgress.computeIfAbsent(domain, d -> start(d, fetch));
        } catch (RejectedExecutionException e) {
            throw new PolicyException(PolicyException.Reason.BUSY, "not fetched: " + (CONCURRENT + WAITING)
                    + " policy fetches are in progress or waiting already", e);
        }
        try {
            return result.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new PolicyException(PolicyException.Reason.DEADLINE, "no policy within " + wait.toSeconds()
                    + " s (RFC 8461 3.3); a policy that comes later is kept for the next message", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case PolicyException p -> throw p;
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException(PolicyException.Reason.INTERRUPTED, "interrupted while waiting for the policy", e);
        }
    }

    /** Called inside computeIfAbsent: the removal runs on a pool thread, after the mapping is in place. */
    private CompletableFuture<PolicyCache.Entry> start(String domain, Fetch fetch) {
        CompletableFuture<PolicyCache.Entry> result = new CompletableFuture<>();
        result.whenComplete((entry, failure) -> inProgress.remove(domain, result));
        threads.execute(() -> {
            try {
                result.complete(fetch.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
