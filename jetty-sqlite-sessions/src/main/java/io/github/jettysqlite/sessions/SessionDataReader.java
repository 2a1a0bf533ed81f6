package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.table.SessionLifetime;
import io.github.jettysqlite.sessions.internal.table.SessionReads;
import io.github.jettysqlite.sessions.internal.table.StoredSession;
import java.util.function.Supplier;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;

/**
 * Makes Jetty's session data of a row of the store's context: the metadata as the row holds it, the expiry capped at
 * the absolute lifetime, the key the row was found under, and the attributes opened and deserialized.
 */
final class SessionDataReader {
    /** How the store makes its session data: its {@code newSessionData}, which a subclass may override. */
    @FunctionalInterface
    interface NewSessionData {
        SessionData of(String id, long created, long accessed, long lastAccessed, long maxInactiveMs);
    }

    /** The store's database as it is now: a store that has stopped fails the read rather than reading on. */
    private final Supplier<SessionDatabase> database;

    private final SessionReads reads;
    private final String table;
    private final SessionScope scope;
    private final SessionLifetime lifetime;
    private final SessionAttributes attributes;
    private final SessionContext context;
    private final NewSessionData newSessionData;
    private final SessionStoreStatistics statistics;

    SessionDataReader(
            Supplier<SessionDatabase> database,
            SessionReads reads,
            String table,
            SessionScope scope,
            SessionLifetime lifetime,
            SessionAttributes attributes,
            SessionContext context,
            NewSessionData newSessionData,
            SessionStoreStatistics statistics) {
        this.statistics = statistics;
        this.database = database;
        this.reads = reads;
        this.table = table;
        this.scope = scope;
        this.lifetime = lifetime;
        this.attributes = attributes;
        this.context = context;
        this.newSessionData = newSessionData;
    }

    /**
     * The session with this id from {@code row}, or from its row read now when {@code row} is null.
     *
     * @return null when the context holds no such session, or it is older than the absolute lifetime
     */
    SessionData read(String id, StoredSession row) throws SessionDatabaseException, UnreadableSessionDataException {
        StoredSession read = row != null ? row : database.get().read(c -> reads.load(c, scope, id));
        SessionData data = toSessionData(id, read);
        if (data instanceof TrackedSessionData tracked && !tracked.unloaded().isEmpty()) {
            statistics.attributesNotLoaded(tracked.unloaded().size());
            // The attributes left out may be the ones that name the user: the row's record of it goes with the data,
            // for a write under a new id, which cannot tell it from what this node loaded.
            tracked.unloadedPrincipal(read.principal());
        }
        return data;
    }

    private SessionData toSessionData(String id, StoredSession row) throws UnreadableSessionDataException {
        // A session older than the absolute lifetime is not handed out, whatever expiry its row carries (an old row
        // put back, a session kept alive past it): Jetty gives the request a new session, and the sweeps delete it.
        if (row == null || lifetime.isOver(row.created(), System.currentTimeMillis())) {
            return null;
        }
        SessionData data =
                newSessionData.of(id, row.created(), row.accessed(), row.lastAccessed(), row.maxInactiveMs());
        data.setCookieSet(row.cookieSet());
        data.setLastNode(row.lastNode());
        data.setLastSaved(row.lastSaved());
        data.setExpiry(row.expiry());
        lifetime.capExpiry(data);
        if (data instanceof TrackedSessionData tracked) {
            tracked.rowKey(row.rowKey());
        }
        try {
            attributes.readInto(data, row.attributes(), row.attributesVersion(), keyOf(id, row.created()));
        } catch (Exception e) {
            throw new UnreadableSessionDataException(id, context, e);
        }
        return data;
    }

    /** What a seal of a session's row in this context covers. */
    private AttributeSeal.SessionKey keyOf(String id, long created) {
        return new AttributeSeal.SessionKey(table, scope.contextPath(), scope.virtualHost(), id, created);
    }
}
