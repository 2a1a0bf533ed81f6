package io.github.jettysqlite.sessions.internal.attributes;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sorted name arrays of {@link AttributePrints}, one shared by every session of a store that holds the same
 * attribute names: an application's sessions mostly do, and then a cached session keeps only a reference where it
 * would keep an array of its own. Bounded by the names held, so that applications whose attribute names vary per
 * session (an id in the name) stop sharing rather than fill memory; arrays past the bound stay each session's own.
 */
final class SharedNames {
    /** Names held across all shared arrays; a few hundred kilobytes at most. */
    static final int MAX_NAMES = 16_384;

    private final ConcurrentHashMap<Key, String[]> arrays = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();

    /** The shared array equal to {@code sorted}, which becomes it if there is none and room is left. */
    String[] shared(String[] sorted) {
        Key key = new Key(sorted);
        String[] known = arrays.get(key);
        if (known != null) {
            return known;
        }
        if (held.get() + sorted.length > MAX_NAMES) {
            return sorted;
        }
        known = arrays.putIfAbsent(key, sorted);
        if (known != null) {
            return known;
        }
        held.addAndGet(sorted.length);
        return sorted;
    }

    /** An array of names compared by content. */
    private static final class Key {
        private final String[] names;
        private final int hash;

        Key(String[] names) {
            this.names = names;
            this.hash = Arrays.hashCode(names);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && hash == key.hash && Arrays.equals(names, key.names);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
