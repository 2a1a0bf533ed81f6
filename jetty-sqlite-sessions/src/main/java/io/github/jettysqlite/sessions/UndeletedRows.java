package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.Redaction;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions this node ended (a logout, an expiry), or gave a new id, whose rows (under the old id) the database failed
 * to delete. Jetty ends a session in memory whatever its store says, so without this the user would be logged out
 * here while every other node went on serving the session from its row until it expired, and an old id would go on
 * working after a login renewed it. Until a later attempt deletes a row, this node serves none of
 * these sessions and never hands a new session one of their ids; the deletes are tried again at each housekeeping
 * pass and, at most once a second, after a request's session was saved (the database answers again).
 */
final class UndeletedRows {
    private static final Logger LOG = LoggerFactory.getLogger(UndeletedRows.class);

    /**
     * At most this many ids are remembered (only sessions this node held and ended get here, so reaching it takes a
     * long outage); past it a further id is only logged.
     */
    static final int MOST_IDS = 100_000;

    /** At most this many deletes are tried again after a request, so that one request is not held up long. */
    static final int AFTER_A_REQUEST = 16;

    /** The creation time of a session ended when it was not at hand: its row is then deleted whatever it holds. */
    static final long UNKNOWN_CREATION = Long.MIN_VALUE;

    private static final long RETRY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Deletes the row of the session created at {@code createdMs}; true when there was one. */
    @FunctionalInterface
    interface Delete {
        boolean delete(String id, long createdMs) throws Exception;
    }

    /**
     * Each id with the creation time of the session ended under it: a later attempt deletes that session's row only,
     * not one created under the id since (another node, or another context on this one, may give the id to a new
     * session once the row is gone or expired).
     */
    private final Map<String, Long> ids = new ConcurrentHashMap<>();

    private final AtomicLong lastRetryNanos = new AtomicLong(System.nanoTime());

    /**
     * Remembers an ended session whose row the database failed to delete. The next attempt after a request waits its
     * full second from now: the database has only just failed.
     */
    void failed(String id, long createdMs, Exception failure) {
        lastRetryNanos.set(System.nanoTime());
        if (ids.size() < MOST_IDS) {
            // A creation time known before (the id ended here, then its delete failed again) is kept.
            ids.merge(id, createdMs, (known, now) -> now == UNKNOWN_CREATION ? known : now);
            LOG.warn(
                    "Session {} was ended here, but the database failed to delete its row ({}); other nodes serve it"
                            + " until the delete, tried again at each housekeeping pass, succeeds",
                    Redaction.sessionId(id),
                    failure.toString());
        } else {
            LOG.error(
                    "Session {} was ended here, but the database failed to delete its row ({}), and {} such rows are"
                            + " waiting already: other nodes serve it until it expires",
                    Redaction.sessionId(id),
                    failure.toString(),
                    MOST_IDS);
        }
    }

    boolean contains(String id) {
        return !ids.isEmpty() && ids.containsKey(id);
    }

    void forget(String id) {
        if (!ids.isEmpty()) {
            ids.remove(id);
        }
    }

    int size() {
        return ids.size();
    }

    /** Tries every remembered delete again, stopping at the first the database fails (it is failing still). */
    void retryAll(Delete delete) {
        retry(delete, Integer.MAX_VALUE);
    }

    /** After a request's save succeeded (the database writes again): tries a few deletes again, at most once a second. */
    void retrySomeIfDue(Delete delete) {
        if (ids.isEmpty()) {
            return;
        }
        long last = lastRetryNanos.get();
        long now = System.nanoTime();
        if (now - last >= RETRY_INTERVAL_NANOS && lastRetryNanos.compareAndSet(last, now)) {
            retry(delete, AFTER_A_REQUEST);
        }
    }

    private void retry(Delete delete, int most) {
        int tried = 0;
        int deleted = 0;
        for (Iterator<Map.Entry<String, Long>> it = ids.entrySet().iterator(); it.hasNext() && tried < most; tried++) {
            Map.Entry<String, Long> ended = it.next();
            String id = ended.getKey();
            try {
                delete.delete(id, ended.getValue());
                // Only the entry tried: one made again meanwhile (the id ended once more) stays.
                ids.remove(id, ended.getValue());
                deleted++;
            } catch (Exception e) {
                LOG.debug("The row of ended session {} still cannot be deleted", Redaction.sessionId(id), e);
                break;
            }
        }
        if (deleted > 0) {
            LOG.info("Deleted the rows of {} sessions ended here earlier; {} still to delete", deleted, ids.size());
        }
    }
}
