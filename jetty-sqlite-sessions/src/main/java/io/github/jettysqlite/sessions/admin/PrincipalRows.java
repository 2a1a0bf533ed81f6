package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import java.util.List;

/**
 * The admin's view of who is logged in, read from the principal column a store writes with each session and
 * through its index: a user's sessions, counted, listed or deleted, and the users themselves. A missing or empty user
 * name is refused with one sentence before any query runs.
 */
record PrincipalRows(SessionDatabase database, AdminQueries queries) {
    /** See {@link SessionDatabaseAdmin#sessionsOf}. */
    List<SessionSummary> sessionsOf(String principal) throws SessionDatabaseException {
        requirePrincipal(principal);
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.read(c -> queries.ofPrincipal(c, principal, now));
    }

    /** See {@link SessionDatabaseAdmin#countSessionsOf}. */
    long countSessionsOf(String principal) throws SessionDatabaseException {
        requirePrincipal(principal);
        return database.read(c -> queries.countOfPrincipal(c, principal));
    }

    /** See {@link SessionDatabaseAdmin#deleteSessionsOf}. */
    int deleteSessionsOf(String principal, SessionSummary keep) throws SessionDatabaseException {
        requirePrincipal(principal);
        return database.changingAll(() -> database.write(c -> queries.deleteOfPrincipal(c, principal, keep)));
    }

    /** See {@link SessionDatabaseAdmin#principals}. */
    List<String> principals(String contextPath, String virtualHost) throws SessionDatabaseException {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.read(c -> queries.principals(c, contextPath, virtualHost, now));
    }

    private static void requirePrincipal(String principal) {
        if (principal == null || principal.isEmpty()) {
            throw new IllegalArgumentException("a principal (user name) is required");
        }
    }
}
