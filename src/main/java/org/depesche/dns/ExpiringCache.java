package org.depesche.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded map whose entries end after a time of their own: least recently used ones go first. */
final class ExpiringCache<K, V> {
    private final Clock clock;
    private final Map<K, Timed<V>> entries;

    /** A value and the moment it stops being valid. */
    record Timed<V>(V value, Instant expires) { }

    ExpiringCache(int maxEntries, Clock clock) {
        this.clock = clock;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Timed<V>> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The value, or null when there is none or it expired. */
    V get(K key) {
        Timed<V> e = timed(key);
        return e == null ? null : e.value();
    }

    /** The entry with its expiry, or null when there is none or it expired. */
    synchronized Timed<V> timed(K key) {
        Timed<V> e = entries.get(key);
        if (e == null) return null;
        if (!e.expires().isAfter(clock.instant())) {
            entries.remove(key);
            return null;
        }
        return e;
    }

    /** Keeps the value for {@code seconds}; nothing is kept for zero or less. */
    synchronized void put(K key, V value, long seconds) {
        if (seconds <= 0) return;
        entries.put(key, new Timed<>(value, clock.instant().plusSeconds(seconds)));
    }
}
