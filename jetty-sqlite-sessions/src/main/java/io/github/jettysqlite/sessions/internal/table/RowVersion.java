package io.github.jettysqlite.sessions.internal.table;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The first version of a row's attributes. Every write of the attributes adds one, so a version alone cannot tell a
 * row from another row created later under the same id (deleted by a logout, then created again): both would start
 * at the same number, and a node holding the old row's version would write into the new one as if nothing had
 * happened. Starting each row at a random number below 2^62 makes that coincidence a one in 4.6e18 event, and leaves
 * room for every increment a row will ever see.
 */
public final class RowVersion {
    private static final long BOUND = 1L << 62;

    private RowVersion() {}

    /** A random first version, never 0 (the version rows written before this layout hold). */
    public static long first() {
        return ThreadLocalRandom.current().nextLong(1, BOUND);
    }
}
