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
    private final Map<String, Boolean> ids = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /** Remembers the id when the failure is the database's; an unreadable row is Jetty's to deal with. */
    void failed(String id, Throwable failure) {
        if (isDatabaseFailure(failure)) {
            ids.put(id, Boolean.TRUE);
        }
    }

    /** The database answered: every session can be read again. Cheap while nothing is remembered. */
    void answered() {
        if (!ids.isEmpty()) {
            ids.clear();
        }
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

    private static boolean isDatabaseFailure(Throwable failure) {
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
