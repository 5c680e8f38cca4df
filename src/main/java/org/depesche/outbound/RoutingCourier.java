package org.depesche.outbound;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.depesche.directory.Directory;
import org.depesche.queue.Courier;
import org.depesche.queue.QueuedMessage;

/**
 * Sends each recipient to the courier for its domain: local domains (as the
 * directory says now) to local delivery, all others to remote delivery.
 * One message may have both kinds; each recipient is tracked on its own.
 */
public final class RoutingCourier implements Courier {
    private final Directory directory;
    private final Courier local;
    private final Courier remote;

    public RoutingCourier(Directory directory, Courier local, Courier remote) {
        this.directory = directory;
        this.local = local;
        this.remote = remote;
    }

    @Override
    public List<Result> deliver(QueuedMessage message, List<Integer> recipients, Content content) {
        List<Integer> toLocal = new ArrayList<>();
        List<Integer> toRemote = new ArrayList<>();
        for (int i : recipients) (isLocal(message, i) ? toLocal : toRemote).add(i);
        Map<Integer, Result> results = new HashMap<>();
        collect(results, toLocal, toLocal.isEmpty() ? List.of() : local.deliver(message, toLocal, content));
        collect(results, toRemote, toRemote.isEmpty() ? List.of() : remote.deliver(message, toRemote, content));
        return recipients.stream().map(results::get).toList();
    }

    @Override
    public boolean alreadyDelivered(QueuedMessage message, int recipient) throws IOException {
        return (isLocal(message, recipient) ? local : remote).alreadyDelivered(message, recipient);
    }

    @Override
    public Optional<String> destination(QueuedMessage message, int recipient) {
        return (isLocal(message, recipient) ? local : remote).destination(message, recipient);
    }

    private boolean isLocal(QueuedMessage message, int recipient) {
        return directory.isLocalDomain(message.mailbox(recipient).domain());
    }

    /** A courier that breaks its contract leaves gaps, which the runner turns into deferrals. */
    private static void collect(Map<Integer, Result> into, List<Integer> indexes, List<Result> results) {
        for (int k = 0; k < indexes.size() && k < results.size(); k++) into.put(indexes.get(k), results.get(k));
    }
}
