package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.table.ExpiryStatements;
import io.github.jettysqlite.sessions.internal.table.SessionWrites;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.session.ObjectStreamSessionDataStore;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.eclipse.jetty.session.UnwriteableSessionDataException;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.annotation.ManagedOperation;

/**
 * Jetty's {@code SessionDataStore} contract, implemented once over the session table, for every engine: an engine's
 * store adds only its settings and how it opens its database. The base class keeps the lifecycle, the context class
 * loader, the save-period rule and the scavenging cadence; this class translates each call into statements on the
 * table, through the {@link SessionWriter} for stores.
 *
 * <p>A store serves one context; the stores of every context (and virtual host) naming one database share its
 * table and its connections.
 */
@ManagedObject("Keeps session data in a session table")
public abstract class SessionTableDataStore extends ObjectStreamSessionDataStore {
    /** Expired rows deleted per write transaction, so a mass expiry never holds the write lock for long. */
    public static final int EXPIRED_DELETE_BATCH = ExpiryStatements.DELETE_BATCH;

    private final SessionStoreStatistics statistics = new SessionStoreStatistics();
    /** While started: what this store works with (see {@link StoreParts}); else null. */
    private volatile StoreParts parts;
    /** While this store runs and refuses failed saves: its refusals, listening to its context; else null. */
    private FailedSaveRefusals refusals;

    protected SessionTableDataStore() {}

    /** This store's settings; {@link #doStart()} checks them and fails naming the first one that is wrong. */
    protected abstract SessionTableSettings settings();

    @Override
    protected void doStart() throws Exception {
        if (_context == null) {
            throw new IllegalStateException("No SessionContext");
        }
        SessionTableSettings settings = settings();
        settings.validate();
        StoreParts started = new StoreParts(settings, _context, this, statistics);
        parts = started;
        statistics.outages(started.database().outages());
        // A child bean only from now on, when its context is known: JMX names it after the context as it is added
        // (see jmx.SessionStoreStatisticsMBean), and Jetty adds the store itself before telling it its context.
        statistics.context(_context.getCanonicalContextPath());
        addBean(statistics);
        try {
            super.doStart();
            refusals = FailedSaveRefusals.register(_context, settings);
        } catch (Exception | Error e) {
            // Give the use back now, and forget it, so that a stop after this failed start cannot give it back twice.
            // Jetty does not stop a store whose start failed, so its statistics leave JMX here too.
            removeBean(statistics);
            parts = null;
            started.close();
            throw e;
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (refusals != null) {
            refusals.unregister();
            refusals = null;
        }
        try {
            super.doStop();
        } finally {
            removeBean(statistics);
            StoreParts stopped = parts;
            parts = null;
            if (stopped != null) {
                stopped.close();
            }
        }
    }

    /**
     * Loads the session of this context with the given id, whether or not it has expired (the session manager
     * decides what to do with an expired one).
     *
     * @return the session, or null when this context holds none with that id
     * @throws UnreadableSessionDataException when the stored attributes cannot be read: corrupt, refused by the
     *     deserialization filter, or (with sealing) not sealed by a key this store accepts
     */
    @Override
    public SessionData doLoad(String id) throws Exception {
        StoreParts started = parts();
        return statistics.loads().time(() -> started.rows.read(id, started.cachedCopyCheck.takePrefetched(id)));
    }

    /**
     * Writes the session through the {@link SessionWriter}: a new session is inserted, a saved one only updated
     * (never recreated once deleted elsewhere), and only this request's attribute changes are written onto the row
     * as it is now, so concurrent requests of one session keep each other's changes.
     */
    @Override
    public void doStore(String id, SessionData data, long lastSaveTime) throws Exception {
        StoreParts started = parts();
        statistics.stores().time(() -> {
            try {
                started.putBack.beforeSave(data);
                started.writer.store(data, lastSaveTime);
                refuseChangesToAnEndedSession(data);
                return null;
            } catch (IOException e) {
                throw new UnwriteableSessionDataException(id, _context, e);
            } catch (SessionDatabaseException e) {
                if (refusals != null && refusals.refusing()) {
                    // The request is answered 503: its changes are not kept (see RowPutBack).
                    started.putBack.drop(data);
                    statistics.saveRefused();
                }
                throw e;
            }
        });
    }

    /**
     * A session found ended elsewhere (its row gone, or dropped by a refused renewal) is not written, and what requests
     * set in it since its last store is lost with it: those requests are refused (503) rather than answered as if
     * their changes were kept, as a request setting an attribute of a session ended meanwhile on the same node fails.
     * Requests that set nothing are answered as usual.
     */
    private void refuseChangesToAnEndedSession(SessionData data) {
        if (refusals != null && data instanceof TrackedSessionData tracked && tracked.isDeletedElsewhere()) {
            statistics.endedSessionChangesRefused(FailedSaveRefusals.refuseAlso(tracked.takeSetters()));
        }
    }

    /** While this store runs and refuses failed saves: its refusals; else null. */
    FailedSaveRefusals refusals() {
        return refusals;
    }

    /** What the coherent cache asks of this store about its copies; fails while the store is stopped. */
    CachedCopies cachedCopies() {
        return parts().cachedCopies;
    }

    /** How many writes asked the change signals for a mark since the store started, for tests. */
    long markedWrites() {
        return parts().writer.markedWrites();
    }

    /** Forgets what a check of this thread read for a load that did not come; nothing while the store is stopped. */
    void checkedRowUnused() {
        StoreParts started = parts;
        if (started != null) {
            started.cachedCopies.checkedRowUnused();
        }
    }

    /** Session data that remembers what the store needs to know of the row it came from. */
    @Override
    public SessionData newSessionData(String id, long created, long accessed, long lastAccessed, long maxInactiveMs) {
        return new TrackedSessionData(
                id,
                _context.getCanonicalContextPath(),
                _context.getVhost(),
                created,
                accessed,
                lastAccessed,
                maxInactiveMs);
    }

    /** True when this context holds the session and it has not expired (an immortal session never does). */
    @Override
    public boolean doExists(String id) throws Exception {
        StoreParts started = parts();
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return started.database().read(c -> started.statements.reads().existsUnexpired(c, started.scope, id, now));
    }

    /** Removes the session from this context; true when there was one. */
    @Override
    public boolean delete(String id) throws Exception {
        return delete(id, (writes, c, scope) -> writes.delete(c, scope, id));
    }

    /**
     * Removes the session created at {@code createdMs}, and not a row created again under its id since; true when
     * there was one. For a delete tried again later, when the id may have been given to a new session meanwhile.
     */
    boolean deleteCreatedAt(String id, long createdMs) throws Exception {
        return delete(id, (writes, c, scope) -> writes.deleteCreatedAt(c, scope, id, createdMs));
    }

    /** One of the deletes of {@link SessionWrites}. */
    @FunctionalInterface
    private interface RowDelete {
        int run(SessionWrites writes, CachedConnection c, SessionScope scope) throws SQLException;
    }

    private boolean delete(String id, RowDelete rowDelete) throws Exception {
        StoreParts started = parts();
        SessionDatabase database = started.database();
        SessionScope scope = started.scope;
        return statistics.deletes().time(() -> {
            ChangeSignals.Change change = database.signals().beginRemoval(started.table.name(), scope, id);
            try {
                return database.writeStatement(c -> rowDelete.run(started.statements.writes(), c, scope)) > 0;
            } finally {
                database.signals().end(change);
            }
        });
    }

    /**
     * Reconciles the candidates the session cache believes expired: returns each candidate that has expired at
     * {@code time} (whichever node last used it) or that this context no longer holds, plus every session of this
     * context last used by this node that has expired. A candidate whose stored expiry is still in the future was
     * kept alive by another node and is not returned. Candidates the first query did not return are checked by one
     * more.
     */
    @Override
    public Set<String> doCheckExpired(Set<String> candidates, long time) {
        return parts().expired.check(candidates, time, _context.getWorkerName());
    }

    /** Sessions of this context, last used by any node, whose expiry lies in (0, before]. */
    @Override
    public Set<String> doGetExpired(long before) {
        return parts().expired.before(before);
    }

    /**
     * Deletes the sessions of every context whose expiry lies in (0, time]: nobody manages them any more. Runs in
     * batches so that requests waiting to write get the lock in between.
     */
    @Override
    public void doCleanOrphans(long time) {
        parts().expired.deleteAll(time, this::afterMassDelete);
    }

    /** After a sweep deleted rows: what the engine does to hand the space back, if anything. */
    protected void afterMassDelete() throws SessionDatabaseException {}

    /** Times each scavenging pass (Jetty's reconciliation of candidates, the expiry search and the orphan sweep). */
    @Override
    public Set<String> getExpired(Set<String> candidates) {
        long start = System.nanoTime();
        try {
            return super.getExpired(candidates);
        } finally {
            statistics.scavenged(System.nanoTime() - start);
        }
    }

    @Override
    @ManagedAttribute(value = "does this store serialize sessions", readonly = true)
    public boolean isPassivating() {
        return true;
    }

    /** The calls this store served, their failures and timings. */
    public SessionStoreStatistics getStatistics() {
        return statistics;
    }

    /** The context's path in Jetty's canonical form ({@code /shop} is {@code _shop}); null until initialized. */
    @ManagedAttribute(value = "the context whose sessions this store keeps (canonical path)", readonly = true)
    public String getContextPath() {
        return _context == null ? null : _context.getCanonicalContextPath();
    }

    /** The context's virtual host as Jetty keys sessions by it; null until initialized. */
    @ManagedAttribute(value = "the context's virtual host, as sessions are keyed by it", readonly = true)
    public String getVirtualHost() {
        return _context == null ? null : _context.getVhost();
    }

    @ManagedAttribute(value = "the table holding the sessions", readonly = true)
    public String getTableName() {
        return settings().getTableName();
    }

    @ManagedAttribute(
            value = "who keeps the table's schema: create (the store), validate or none (the database's administrator)",
            readonly = true)
    public String getSchemaMode() {
        return settings().getSchemaMode();
    }

    @ManagedAttribute(value = "the filter every attribute is deserialized through", readonly = true)
    public String getDeserializationFilter() {
        return settings().getDeserializationFilter();
    }

    @ManagedAttribute(value = "are attribute blobs sealed with a secret key", readonly = true)
    public boolean isSealing() {
        return settings().getAttributeKey() != null;
    }

    @ManagedAttribute(value = "are attributes changed in place (without setAttribute) saved", readonly = true)
    public boolean isSaveInPlaceChanges() {
        return settings().isSaveInPlaceChanges();
    }

    @ManagedOperation(
            value = "seal every row of the table under this store's attributeKey, in place, a page at a time (rows"
                    + " without a seal only while acceptUnsealedRows is on); returns what it did",
            impact = "ACTION")
    public String sealRows() throws SessionDatabaseException {
        if (settings().getAttributeKey() == null) {
            throw new IllegalStateException("this store has no attributeKey to seal with");
        }
        return admin().seal(
                        settings().getAttributeKey(),
                        settings().getAttributeOldKeys(),
                        settings().isEncryptAttributes(),
                        // Unsealed rows only while the operator has opened that window on purpose.
                        settings().isAcceptUnsealedRows(),
                        settings().isProtectSessionIds(),
                        Progress.NONE)
                .toString();
    }

    /**
     * This context's unexpired sessions logged in as {@code principal}, most recently used first, as their rows say
     * (a session's principal is written when it is stored).
     */
    public List<SessionSummary> sessionsOf(String principal) throws SessionDatabaseException {
        return parts().summaries.ofPrincipal(principal);
    }

    /**
     * Ends this context's sessions logged in as {@code principal} through Jetty's session manager, as an
     * {@code invalidate()} would: session listeners run here, the rows are deleted, and every other node's coherent
     * cache finds the sessions gone at its next request.
     *
     * @param keepId a session to leave alone (the caller's own, for "log out my other devices"), or null
     * @return how many sessions were ended
     * @throws SessionDatabaseException when a session's row could not be deleted, after trying every other session;
     *     the message says how many were ended
     */
    public int endSessionsOf(String principal, String keepId) throws Exception {
        int ended = 0;
        int failed = 0;
        Exception firstFailure = null;
        for (SessionSummary session : sessionsOf(principal)) {
            if (!session.id().equals(keepId)) {
                try {
                    endSession(session.id());
                    ended++;
                } catch (Exception e) {
                    failed++;
                    firstFailure = firstFailure == null ? e : firstFailure;
                }
            }
        }
        if (firstFailure != null) {
            throw new SessionDatabaseException(
                    "Ended " + ended + " of the user's sessions in " + parts().scope + "; " + failed
                            + " could not be ended, and other nodes may still serve them",
                    firstFailure);
        }
        return ended;
    }

    /**
     * Ends this context's session with this id through Jetty's session manager, as an {@code invalidate()} would:
     * a session another node serves is loaded here to be ended, its listeners run here, its row is deleted, and that
     * node's coherent cache finds it gone at its next request. An id the table does not hold ends nothing.
     *
     * @throws SessionDatabaseException when the row is still there afterwards (Jetty's session manager only logs a
     *     delete that fails) or the database cannot say
     */
    public void endSession(String id) throws Exception {
        _context.getSessionManager().invalidate(id);
        if (doExists(id)) {
            // The id is left out: it still works on other nodes, and this message may travel to a client.
            throw new SessionDatabaseException(
                    "A session of " + parts().scope + " was ended here, but its row could not be deleted; other"
                            + " nodes may still serve it (the log names it and the cause)",
                    null);
        }
    }

    /** The users logged in to this context's unexpired sessions, each once, in name order, as the rows say. */
    public List<String> principals() throws SessionDatabaseException {
        StoreParts started = parts();
        return started.admin.principals(started.scope.contextPath(), started.scope.virtualHost());
    }

    /**
     * This context's session with this id as its row says (who is logged in to it, when it was last used), or null
     * when the table holds none or it has expired: one lookup by the primary key, cheap enough for every request.
     */
    public SessionSummary summaryOf(String id) throws SessionDatabaseException {
        return parts().summaries.of(id);
    }

    /** Who this session's attributes say is logged in, read as the store writes it; null for nobody. */
    public String principalOf(SessionData data) {
        return parts().principals.principalOf(data);
    }

    /**
     * Administration of the database this store uses, sharing its connections; for JMX and tools. One per start, so
     * that its statements are built once; fails while the store is stopped.
     */
    public SessionDatabaseAdmin admin() {
        return parts().admin;
    }

    /** The open database; fails while the store is stopped. */
    SessionDatabase database() {
        return parts().database();
    }

    /**
     * What this start built; before the first start the store fails as it does when stopped, in words rather than
     * with a NullPointerException.
     */
    private StoreParts parts() {
        StoreParts started = parts;
        if (started == null) {
            throw new IllegalStateException("Not started");
        }
        return started;
    }

    @Override
    public String toString() {
        StoreParts started = parts;
        return String.format(
                "%s@%x[table=%s,context=%s]",
                getClass().getSimpleName(),
                hashCode(),
                settings().getTableName(),
                started == null ? null : started.scope);
    }
}
