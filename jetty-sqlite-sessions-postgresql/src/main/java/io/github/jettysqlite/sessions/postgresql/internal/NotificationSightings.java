package io.github.jettysqlite.sessions.postgresql.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which of a node's two listening connections has seen each notification, so that a change both receive is counted
 * once: by whichever sees it first, at that moment. A notification is named by a random nonce its sender drew, which
 * nobody can know before it is sent: a notification someone else sends on the channel cannot stand in for one still to
 * come, only be counted as a change of its own (a read more, never one less). Not thread-safe: its owner calls it under
 * the lock that also guards the counting.
 *
 * <p>The connections receive the same notifications while both are up, so names seen by one are soon taken off by the
 * other. A name only one ever sees (the other was reconnecting) stays until {@value #REMEMBERED} newer names push it
 * out; forgotten, a later sighting counts again, which costs at most a read.
 */
final class NotificationSightings {
    /** The two receivers. */
    enum Receiver {
        ROUND_TRIPS,
        WATCH
    }

    static final int REMEMBERED = 4096;

    private final Map<String, Receiver> seenByOneOnly = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Receiver> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * Whether the change this notification names is to be counted now: false only when the other receiver has already
     * seen (and counted) a notification of that name. The same receiver seeing one name twice (a statement sent again
     * after a failure that may have committed) counts both times.
     */
    boolean firstSighting(String name, Receiver by) {
        Receiver earlier = seenByOneOnly.get(name);
        if (earlier != null && earlier != by) {
            seenByOneOnly.remove(name);
            return false;
        }
        seenByOneOnly.put(name, by);
        return true;
    }

    /** Names seen by one receiver only so far, for tests. */
    int remembered() {
        return seenByOneOnly.size();
    }
}
