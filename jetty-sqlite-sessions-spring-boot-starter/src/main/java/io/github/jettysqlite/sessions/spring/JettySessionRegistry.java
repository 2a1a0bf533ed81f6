package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.security.core.AuthenticatedPrincipal;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * Spring Security's {@link SessionRegistry} read from the session table, so that {@code maximumSessions(n)} counts a
 * user's sessions on every node of the database and across restarts, where Spring's own registry counts those one
 * JVM has seen since it started. Spring Security's {@code sessionManagement()} picks up a registry bean by itself;
 * the starter declares this one.
 *
 * <p>The table is the record: each row carries who its session is logged in as, written by the store whenever the
 * session is stored (from Spring Security's context in the session, so the row and the login never disagree). So
 * {@link #registerNewSession}, {@link #refreshLastRequest} and {@link #removeSessionInformation} do nothing: the login
 * request's session is stored, with its user, when its response is committed (Boot's Jetty flushes sessions then),
 * Jetty writes the access time with every session it stores, and a session leaves the table when it is invalidated
 * or times out. Until its login response is committed a new session is not counted, so two logins of one user that
 * overlap to the millisecond may both be let in.
 *
 * <p>{@link SessionInformation#expireNow()} ends the session at once through Jetty's session manager on this node,
 * as {@code invalidate()} would (session listeners run here, the row is deleted); the node that served it finds it
 * gone at its next request, provided its session cache is the coherent one (the default). Spring's "expired" state
 * never outlives the call, so {@code getAllSessions(principal, true)} lists the same sessions as with false.
 *
 * <p>Principals are Spring Security's objects when they are passed in ({@link UserDetails}, an {@link
 * AuthenticatedPrincipal}, any {@link Principal}, else their {@code toString()}, as {@code Authentication.getName()}
 * names them), and user names when they are handed out: {@link SessionInformation#getPrincipal()} and
 * {@link #getAllPrincipals()} give the name the row holds.
 */
public final class JettySessionRegistry implements SessionRegistry {
    private final RunningStores stores;

    /** A registry over the stores this factory builds: Boot's one context, once its Jetty server has started. */
    public JettySessionRegistry(SessionTableDataStoreFactory<?> factory) {
        stores = new RunningStores(factory);
    }

    /** The user names of the unexpired sessions, each once, in name order. */
    @Override
    public List<Object> getAllPrincipals() {
        Set<String> names = new TreeSet<>();
        for (SessionTableDataStore store : stores.list()) {
            names.addAll(read(store::principals));
        }
        return List.copyOf(names);
    }

    /** The user's unexpired sessions, most recently used first; {@code includeExpiredSessions} changes nothing. */
    @Override
    public List<SessionInformation> getAllSessions(Object principal, boolean includeExpiredSessions) {
        String name = nameOf(principal);
        List<SessionInformation> sessions = new ArrayList<>();
        if (name == null || name.isEmpty()) {
            return sessions;
        }
        for (SessionTableDataStore store : stores.list()) {
            for (SessionSummary session : read(() -> store.sessionsOf(name))) {
                sessions.add(new TableSessionInformation(session, store));
            }
        }
        return sessions;
    }

    /**
     * The session with this id while someone is logged in to it, else null (Spring's concurrency filter then leaves
     * the request alone). One lookup by the table's primary key: the filter asks on every request.
     */
    @Override
    public SessionInformation getSessionInformation(String sessionId) {
        for (SessionTableDataStore store : stores.list()) {
            SessionSummary session = read(() -> store.summaryOf(sessionId));
            if (session != null) {
                return session.principal() == null ? null : new TableSessionInformation(session, store);
            }
        }
        return null;
    }

    /** Nothing to do: Jetty writes the access time with the session. */
    @Override
    public void refreshLastRequest(String sessionId) {}

    /** Nothing to do: the store writes the row's user when the login request's session is stored. */
    @Override
    public void registerNewSession(String sessionId, Object principal) {}

    /** Nothing to do: the session's row goes when it is invalidated or times out, and with it its user. */
    @Override
    public void removeSessionInformation(String sessionId) {}

    /** The user name Spring Security gives this principal object, as {@code Authentication.getName()} does. */
    static String nameOf(Object principal) {
        if (principal instanceof UserDetails user) {
            return user.getUsername();
        }
        if (principal instanceof AuthenticatedPrincipal authenticated) {
            return authenticated.getName();
        }
        if (principal instanceof Principal named) {
            return named.getName();
        }
        return principal == null ? null : principal.toString();
    }

    private interface Read<T> {
        T get() throws SessionDatabaseException;
    }

    private static <T> T read(Read<T> read) {
        try {
            return read.get();
        } catch (SessionDatabaseException e) {
            throw new IllegalStateException("The session table cannot be read: " + e.getMessage(), e);
        }
    }

    /** A session as its row says, which {@link #expireNow()} ends through the store that read it. */
    private static final class TableSessionInformation extends SessionInformation {
        private static final long serialVersionUID = 1L;

        private final transient SessionTableDataStore store;

        TableSessionInformation(SessionSummary session, SessionTableDataStore store) {
            super(session.principal(), session.id(), new Date(session.accessed()));
            this.store = store;
        }

        /** Ends the session now, on every node (see the registry). */
        @Override
        public void expireNow() {
            super.expireNow();
            if (store == null) {
                // No id in the message: a whole id in a log could be presented as a cookie.
                throw new IllegalStateException("A deserialized copy cannot end the session it describes");
            }
            try {
                store.endSession(getSessionId());
            } catch (Exception e) {
                throw new IllegalStateException("The session could not be ended: " + e, e);
            }
        }
    }
}
