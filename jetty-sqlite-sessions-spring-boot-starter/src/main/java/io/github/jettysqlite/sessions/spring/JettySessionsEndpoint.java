package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * Actuator's {@code jettysessions} endpoint: the sessions a user is logged in to, read from the session table, and
 * ending them. Boot's own {@code sessions} endpoint needs Spring Session; this one reads the servlet sessions the
 * store keeps, on every node of the database.
 *
 * <ul>
 *   <li>{@code GET /actuator/jettysessions?principal=alice}: alice's unexpired sessions, most recently used first;
 *   <li>{@code GET /actuator/jettysessions/{id}}: one session (404 when the table holds none);
 *   <li>{@code DELETE /actuator/jettysessions?principal=alice}: ends them all, answering how many;
 *   <li>{@code DELETE /actuator/jettysessions/{id}}: ends one.
 * </ul>
 *
 * Sessions are ended through Jetty's session manager on the node that answers, as {@code invalidate()} would: its
 * listeners run there, the row is deleted, and the node that served the session finds it gone at its next request
 * (with the coherent session cache, the default). Like every endpoint but health, it is exposed only when listed in
 * {@code management.endpoints.web.exposure.include}, and it is the application's to secure: it logs users out.
 */
@Endpoint(id = JettySessionsEndpoint.ID)
public class JettySessionsEndpoint {
    static final String ID = "jettysessions";

    private final RunningStores stores;

    public JettySessionsEndpoint(SessionTableDataStoreFactory<?> factory) {
        stores = new RunningStores(factory);
    }

    /** A user's sessions, as their rows say. */
    public record UserSessionsDescriptor(String principal, List<SessionDescriptor> sessions)
            implements OperationResponseBody {}

    /**
     * One session: its id, context (Jetty's canonical path), the node that last stored it, when it was created and
     * last used, when it expires (null: never) and who is logged in to it (null: nobody).
     */
    public record SessionDescriptor(
            String id,
            String context,
            String lastNode,
            Instant created,
            Instant lastAccessed,
            Instant expires,
            String principal)
            implements OperationResponseBody {
        static SessionDescriptor of(SessionSummary session) {
            return new SessionDescriptor(
                    session.id(),
                    session.contextPath(),
                    session.lastNode(),
                    Instant.ofEpochMilli(session.created()),
                    Instant.ofEpochMilli(session.accessed()),
                    session.expiry() > 0 ? Instant.ofEpochMilli(session.expiry()) : null,
                    session.principal());
        }
    }

    /** How many of a user's sessions were ended. */
    public record EndedDescriptor(String principal, int ended) implements OperationResponseBody {}

    @ReadOperation
    public UserSessionsDescriptor sessionsOf(String principal) throws Exception {
        List<SessionDescriptor> sessions = new ArrayList<>();
        for (SessionTableDataStore store : stores.list()) {
            store.sessionsOf(principal).forEach(session -> sessions.add(SessionDescriptor.of(session)));
        }
        return new UserSessionsDescriptor(principal, sessions);
    }

    /** The unexpired session with this id, or null (404). */
    @ReadOperation
    public SessionDescriptor session(@Selector String sessionId) throws Exception {
        for (SessionTableDataStore store : stores.list()) {
            SessionSummary session = store.summaryOf(sessionId);
            if (session != null) {
                return SessionDescriptor.of(session);
            }
        }
        return null;
    }

    /** Ends the user's sessions in every context; one context that fails does not keep the others' from ending. */
    @DeleteOperation
    public EndedDescriptor endSessionsOf(String principal) throws Exception {
        int ended = 0;
        Exception failure = null;
        for (SessionTableDataStore store : stores.list()) {
            try {
                ended += store.endSessionsOf(principal, null);
            } catch (Exception e) {
                failure = firstOf(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return new EndedDescriptor(principal, ended);
    }

    /** Ends the session in every context that holds it, each context tried whatever another's does. */
    @DeleteOperation
    public void endSession(@Selector String sessionId) throws Exception {
        Exception failure = null;
        for (SessionTableDataStore store : stores.list()) {
            try {
                store.endSession(sessionId);
            } catch (Exception e) {
                failure = firstOf(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static Exception firstOf(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
