package io.github.jettysqlite.sessions;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Session ids a request asked for while the database could not be read, so that the cache never replaces such a
 * session with a new one: Jetty's session manager takes any failure of a load as "no such session" and would give
 * the user a new, empty session and a new cookie. The ids are forgotten as soon as the database answers again.
 */
final class UnreadSessions {
    /** At most this many ids are remembered (cookie values are the client's to choose); past it the oldest go. */
    static final int MOST_IDS = 100_000;

    private final Map<String, Long> ids = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /** Remembers the id when the failure is the database's; an unreadable row is Jetty's to deal with. */
    void failed(String id, Throwable failure) {
        if (isDatabaseFailure(failure)) {
            if (ids.size() >= MOST_IDS) {
                forgetOldest();
            }
            ids.put(id, System.nanoTime());
        }
    }

    /**
     * This id's session was read: it is no longer at risk. Only this id is forgotten: another id remembered during
     * the outage stays until its own session is read, since a request holding it may still be running and about to
     * create a session under it.
     */
    void answered(String id) {
        if (!ids.isEmpty()) {
            ids.remove(id);
        }
    }

    private void forgetOldest() {
        long median =
                ids.values().stream().sorted().skip(ids.size() / 2).findFirst().orElse(Long.MAX_VALUE);
        ids.values().removeIf(at -> at <= median);
    }

    boolean isUnread(String id) {
        return ids.containsKey(id);
    }

    /** Throws the 503 that Jetty's servlet layers answer for a new session that would replace an unread one. */
    void refuseNewSession(String id) {
        if (ids.containsKey(id)) {
            refused.increment();
            throw new StoreUnavailableException();
        }
    }

    long refused() {
        return refused.sum();
    }

    static boolean isDatabaseFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.jetty.session.UnreadableSessionDataException) {
                return false;
            }
            if (t instanceof SessionDatabaseException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** 503: the user's session exists but cannot be read now; trying again later will find it. */
    static final class StoreUnavailableException extends HttpException.RuntimeException {
        StoreUnavailableException() {
            super(
                    HttpStatus.SERVICE_UNAVAILABLE_503,
                    "The session store is unavailable; the session is kept and will be there when it is back");
        }
    }
}
