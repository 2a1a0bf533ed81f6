package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.admin.SessionSummary;
import io.github.jettysqlite.sessions.internal.attributes.PrincipalSource;
import java.util.List;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.session.ManagedSession;
import org.eclipse.jetty.session.SessionDataStore;
import org.eclipse.jetty.util.thread.AutoLock;

/**
 * The sessions of the user a request's session is logged in as, in the request's context, for an application that
 * offers "log out my other devices" or ends every session when a password changes:
 *
 * <pre>{@code
 * UserSessions mine = UserSessions.of(request.getSession());
 * mine.endOthers();
 * }</pre>
 *
 * <p>Sessions are ended through Jetty's session manager, so {@code HttpSessionListener}s run on this node; every other
 * node's coherent cache finds them gone at its next request. The user is who the session's attributes say (Jetty's
 * authentication, Spring Security's context, the store's {@code principalAttribute}, or {@link #PRINCIPAL_ATTRIBUTE}
 * set by the application), read from the session in memory, so a login in this very request counts.
 *
 * <p>The session must be one of Jetty's (any environment, {@code javax} or {@code jakarta}) over a store of this
 * library, and this class must come from the server's class path (the jetty-home module puts it there); a copy in a
 * WAR's {@code WEB-INF/lib} cannot see Jetty's classes.
 */
public final class UserSessions {
    /** The attribute an application sets to a user name to record who a session is logged in as, explicitly. */
    public static final String PRINCIPAL_ATTRIBUTE = PrincipalSource.EXPLICIT_ATTRIBUTE;

    private final ManagedSession session;
    private final SessionTableDataStore store;

    private UserSessions(ManagedSession session, SessionTableDataStore store) {
        this.session = session;
        this.store = store;
    }

    /**
     * @param session a servlet {@code HttpSession} from a Jetty request, or Jetty's own {@code Session}
     * @throws IllegalArgumentException when it is neither, or its sessions are not kept by this library's store
     */
    public static UserSessions of(Object session) {
        Object jetty = session instanceof Session.API api ? api.getSession() : session;
        if (!(jetty instanceof ManagedSession managed)) {
            throw new IllegalArgumentException("not a session of a Jetty 12 server: "
                    + (session == null ? "null" : session.getClass().getName()));
        }
        SessionDataStore store = managed.getSessionManager().getSessionCache().getSessionDataStore();
        if (!(store instanceof SessionTableDataStore ours)) {
            throw new IllegalArgumentException("this context keeps its sessions in "
                    + (store == null ? "no store" : store.getClass().getName())
                    + ", not in a jetty-sqlite-sessions store");
        }
        return new UserSessions(managed, ours);
    }

    /**
     * Who the session is logged in as; null when nobody is. Read under the session's lock, as Jetty reads attributes:
     * a coherent cache bringing the session up to date in place holds it while the attributes are replaced.
     */
    public String principal() {
        try (AutoLock ignored = session.lock()) {
            return store.principalOf(session.getSessionData());
        }
    }

    /** This context's sessions of the user, most recently used first; none when nobody is logged in. */
    public List<SessionSummary> list() throws SessionDatabaseException {
        String principal = principal();
        return principal == null ? List.of() : store.sessionsOf(principal);
    }

    /** Ends the user's other sessions in this context, keeping this one; returns how many were ended. */
    public int endOthers() throws Exception {
        String principal = principal();
        return principal == null ? 0 : store.endSessionsOf(principal, session.getId());
    }

    /**
     * Ends every session of the user in this context, this one last (also when ending another failed, which is then
     * thrown); returns how many were ended.
     */
    public int endAll() throws Exception {
        String principal = principal();
        if (principal == null) {
            return 0;
        }
        int ended;
        try {
            ended = store.endSessionsOf(principal, session.getId());
        } finally {
            session.invalidate();
        }
        return ended + 1;
    }
}
