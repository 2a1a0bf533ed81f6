package io.github.jettysqlite.sessions.postgresql.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications of saved changes that could not be sent, said in the log once when they start being lost and once when
 * one goes through again, with how many were lost between: a server refusing every notification (its queue full, say)
 * would otherwise write a warning per request.
 */
final class LostNotifications {
    private static final Logger LOG = LoggerFactory.getLogger(LostNotifications.class);

    private final AtomicLong sinceLastSent = new AtomicLong();

    /**
     * A saved change whose notification is lost for good.
     *
     * @return whether this loss was the one said in the log (the first since a notification last went through)
     */
    boolean lost(String location, Exception cause) {
        if (sinceLastSent.getAndIncrement() != 0) {
            return false;
        }
        LOG.warn(
                "A session change on {} was saved, but other nodes could not be told of it ({}); their coherent caches"
                        + " see such changes within a second. Said once until a notification goes through again",
                location,
                cause.getMessage());
        return true;
    }

    /** A notification went through: if some were lost before it, says how many. */
    void sent(String location) {
        // One volatile read per announced write while nothing is lost.
        if (sinceLastSent.get() == 0) {
            return;
        }
        long lost = sinceLastSent.getAndSet(0);
        if (lost > 0) {
            LOG.info(
                    "Other nodes are told of session changes on {} again; {} change(s) saved meanwhile were not"
                            + " announced (their caches saw them within a second)",
                    location,
                    lost);
        }
    }

    /** Losses since a notification last went through (for tests). */
    long sinceLastSent() {
        return sinceLastSent.get();
    }
}
