package org.depesche.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Where the cache sends lookups it cannot answer: one query, its status decided, never an exception. */
abstract class Upstream implements AutoCloseable {
    protected final DnsLimits limits;
    protected final ExecutorService executor =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dns-", 0).factory());

    Upstream(DnsLimits limits) {
        this.limits = limits;
    }

    abstract Answer query(Name name, int type);

    /** Waits for a lookup at most the lookup budget; every failure becomes an indeterminate answer. */
    protected Answer await(Name name, int type, Future<Answer> pending) {
        return await(name, type, pending, failure -> failure);
    }

    /**
     * Waits for any query at most the lookup budget; a failure (timeout, an
     * oversized answer, an upstream error) becomes a failed answer, handed to
     * {@code onFailure} for the caller's own result type.
     */
    protected <T> T await(Name name, int type, Future<T> pending, java.util.function.Function<Answer, T> onFailure) {
        Duration budget = limits.time().lookupBudget();
        try {
            return pending.get(budget.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return onFailure.apply(indeterminate(name, type, "no answer within " + budget.toSeconds() + "s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return onFailure.apply(indeterminate(name, type, "lookup interrupted"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof BoundedResolver.AnswerTooLargeException) {
                return onFailure.apply(Answer.failed(name, type, DnssecStatus.BOGUS, cause.getMessage(), limits));
            }
            return onFailure.apply(indeterminate(name, type, describe(cause)));
        }
    }

    protected Answer indeterminate(Name name, int type, String reason) {
        return Answer.failed(name, type, DnssecStatus.INDETERMINATE,
                "lookup of " + DnsNames.text(name) + "/" + Type.string(type) + " failed: " + reason, limits);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (cause instanceof java.io.IOException && message != null) {
            // dnsjava's "Timed out while trying to resolve NAME/TYPE, id=..." repeats what the caller says
            return message.contains("imed out") ? "timed out" : message;
        }
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** One resolver over all configured servers, each query bounded by the query timeout. */
    static Resolver servers(List<InetSocketAddress> servers, Duration timeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server configured and none found in /etc/resolv.conf");
        }
        List<Resolver> each = servers.stream().map(a -> {
            SimpleResolver r = new SimpleResolver(a);
            r.setTimeout(timeout);
            return (Resolver) r;
        }).toList();
        if (each.size() == 1) return each.getFirst();
        ExtendedResolver all = new ExtendedResolver(each);
        all.setTimeout(timeout);
        return all;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
