package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.Redaction;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.ManagedSession;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.SessionManager;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.thread.AutoLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps sessions in memory as Jetty's {@link DefaultSessionCache} does, and stays right when other processes or
 * machines use the same table. Before a request uses a cached session that no other request on this node is using,
 * the cache compares it with its row (a primary-key probe that reads no
 * attributes):
 *
 * <ul>
 *   <li>the row as this node left it: the cached session is used as it is;
 *   <li>a later access or a timeout set on another node: taken into the cached session, so that it is neither
 *       expired early here (and deleted, although another node kept it alive) nor given back its old timeout;
 *   <li>attributes changed on another node, or the row created anew under the same id: the session is loaded again;
 *   <li>the row gone (a logout or an expiry on another node): the session leaves this cache and the request finds
 *       none, so the old cookie gets a new, empty session, as it would on the node that ended it.
 * </ul>
 *
 * <p>Every request checks, also while another request on this node still holds the session (it answered and is
 * letting go of it when the user's next request arrives): such a session is brought up to date in place. Writes go
 * through the store's merge rules, so two nodes changing one session keep
 * both changes; a store that finds the row deleted since (counted in {@code storesOfDeletedSessions}) makes the
 * cache drop its copy at the end of the request, and a row deleted after the request's last write is found gone by
 * the next request's check.
 *
 * <p>It needs one of this library's stores beneath it and says so at start otherwise.
 */
@ManagedObject("A session cache that checks each cached session against the session table before a request uses it")
public class CoherentSessionCache extends DefaultSessionCache {
    private static final Logger LOG = LoggerFactory.getLogger(CoherentSessionCache.class);

    private final UnreadSessions unreachable = new UnreadSessions();
    private final UndeletedRows undeleted = new UndeletedRows();

    /** The cache's map, also Jetty's: kept to remove an entry only if it still holds a given object. */
    private final ConcurrentMap<String, ManagedSession> sessions;

    public CoherentSessionCache(SessionManager manager) {
        this(manager, new ConcurrentHashMap<>());
    }

    private CoherentSessionCache(SessionManager manager, ConcurrentMap<String, ManagedSession> sessions) {
        super(manager, sessions);
        this.sessions = sessions;
    }

    /** Requests refused because a session they asked for could not be read from the database. */
    @ManagedAttribute(
            value = "requests refused (503) rather than given a new session while the database failed",
            readonly = true)
    public long getRequestsRefused() {
        return unreachable.refused();
    }

    /**
     * The sessions this cache holds, counted from its map: an entry removed only if it still held a given object (see
     * {@link #getAndEnter}) bypasses Jetty's count.
     */
    @Override
    public long getSessionsCurrent() {
        return sessions.size();
    }

    /** Sessions ended here whose rows the database failed to delete, to be deleted when it answers again. */
    @ManagedAttribute(value = "sessions ended here whose rows are still to be deleted", readonly = true)
    public int getRowsStillToDelete() {
        return undeleted.size();
    }

    @Override
    protected void doStart() throws Exception {
        if (!(_sessionDataStore instanceof SessionTableDataStore)) {
            throw new IllegalStateException(
                    "CoherentSessionCache checks cached sessions against a jetty-sqlite-sessions"
                            + " table, but this context's session data store is " + _sessionDataStore + ". Configure"
                            + " SQLiteSessionDataStoreFactory or PostgreSQLSessionDataStoreFactory beneath it, or use"
                            + " Jetty's DefaultSessionCache (the session-cache-hash module) with other stores, or when"
                            + " Jetty's session-store-cache module wraps the store.");
        }
        super.doStart();
    }

    /**
     * A cached session is compared with its row before it is handed out; a session not cached is loaded from the
     * store, which is current by construction.
     */
    @Override
    protected ManagedSession getAndEnter(String id, boolean enter) throws Exception {
        if (undeleted.contains(id)) {
            // Ended here; its row is still to be deleted.
            return null;
        }
        ManagedSession cached = cachedUnder(id);
        ManagedSession session;
        try {
            // A copy that cannot be checked is not served: another node may have changed the session just before
            // the database went away, and a stale copy answered now would be undone or lost at its next save. The
            // request then has no session, and one it asks for under this id is refused (503).
            if (cached != null && checkAgainstRow(cached) == CachedSessionCheck.GONE) {
                unreachable.answered(id);
                return null;
            }
            // A current session is entered as Jetty's cache enters it; a stale one was dropped and is loaded afresh.
            session = super.getAndEnter(id, enter);
            if (session == null && cached != null) {
                // Another request here dropped the object this one found (its attributes changed elsewhere) between
                // the check and Jetty's entry, which then takes it for deleted: load it afresh instead.
                session = super.getAndEnter(id, enter);
            }
        } catch (Exception e) {
            unreachable.failed(id, e);
            throw e;
        } finally {
            store().checkedRowUnused();
        }
        unreachable.answered(id);
        return session;
    }

    /**
     * The session this cache holds under the id, or null. An object found there under another id was given a new id
     * by a renewal that failed part of the way (Jetty renames it whatever the cache says): it leaves the map, and is
     * never served under the old id again.
     */
    private ManagedSession cachedUnder(String id) {
        ManagedSession cached = doGet(id);
        if (cached != null && !id.equals(cached.getId())) {
            sessions.remove(id, cached);
            return null;
        }
        return cached;
    }

    /**
     * Looks the session up, deletes its row, and takes it out of memory, as Jetty's cache does, with two differences
     * that keep a logout from being undone on other nodes when the database fails part of the way:
     *
     * <ul>
     *   <li>the row is deleted even when the look-up fails. Here the look-up is a check against the row, a read, which
     *       can fail while the delete works (a dropped pooled connection, a reader's timeout, a row this node cannot
     *       deserialize); the copy this node holds, if any, is then ended as it is, as Jetty's own cache would end it;
     *   <li>a delete the database fails is remembered and tried again later (see {@link UndeletedRows}), and the
     *       session is ended here all the same, listeners included. Jetty would only log the failure, and every other
     *       node would go on serving the session from its row.
     * </ul>
     */
    @Override
    public ManagedSession delete(String id) throws Exception {
        // Taken first: a check that fails may have dropped the copy from memory before it failed.
        ManagedSession cached = cachedUnder(id);
        ManagedSession session;
        try {
            session = getAndEnter(id, false);
        } catch (Exception e) {
            if (UnreadSessions.isDatabaseFailure(e)) {
                LOG.warn(
                        "Could not check session {} against its row before ending it ({}); ending it all the same",
                        Redaction.sessionId(id),
                        e.toString());
            } else {
                LOG.warn(
                        "Could not check session {} against its row before ending it; ending it all the same",
                        Redaction.sessionId(id),
                        e);
            }
            session = cached;
        }
        try {
            boolean deleted = _sessionDataStore.delete(id);
            LOG.debug(
                    "Session {} ended; its row {}", Redaction.sessionId(id), deleted ? "deleted" : "was already gone");
            undeleted.forget(id);
        } catch (Exception e) {
            ManagedSession known = session != null ? session : cached;
            undeleted.failed(
                    id,
                    known == null
                            ? UndeletedRows.UNKNOWN_CREATION
                            : known.getSessionData().getCreated(),
                    e);
        }
        // Gone by this node's hand, so no longer a session the database failed to give back (see UnreadSessions).
        unreachable.answered(id);
        if (session == null) {
            return null;
        }
        try (AutoLock lock = session.lock()) {
            session.setResident(false);
            doDelete(id);
            return session;
        }
    }

    /**
     * As Jetty's, and a session left under its old id by a renewal that failed part of the way is taken out of memory:
     * Jetty gives the object its new id even when the cache failed (and only logs the failure), so it must not be
     * found under the old id again. The failure is thrown, for Jetty to log, as before.
     */
    @Override
    public ManagedSession renewSessionId(String oldId, String newId, String oldExtendedId, String newExtendedId)
            throws Exception {
        try {
            return super.renewSessionId(oldId, newId, oldExtendedId, newExtendedId);
        } catch (Exception e) {
            ManagedSession left = doGet(oldId);
            if (left != null) {
                sessions.remove(oldId, left);
            }
            FailedSaveRefusals refusals = store().refusals();
            if (refusals != null && UnreadSessions.isDatabaseFailure(e)) {
                // Jetty only logs this and goes on: the response would set a cookie for the new id, which has no row,
                // and the user would be logged out. Refused (503, no cookie), the user keeps the old session. Only a
                // request of this context is refused: another context's renewal may have succeeded.
                refusals.refuseCurrentRequest();
            }
            throw e;
        }
    }

    /**
     * Gives the session a new id as Jetty's cache does, but writes its row under the new id before it deletes the row
     * under the old one, so that a database failing part of the way never leaves the user with neither. Jetty deletes
     * first: a write then refused (answered 503 without the new cookie) left the user's old cookie pointing at a
     * deleted row, and the session, logged in or not, was gone. Here a refused write leaves the old row, and the old
     * cookie, as they were (other nodes serve the session under the old id as it was before this request). Otherwise
     * the old row is deleted, as Jetty deletes it (the request goes on under the new id, and the old id must stop
     * working); a delete the database fails is tried again later (see {@link UndeletedRows}), and this node serves
     * nothing under the old id meanwhile.
     *
     * <p>A failed write is logged, not thrown: Jetty would only log it too, but without releasing the session the
     * request entered for the renewal. Not refused, the session stays unsaved under its new id, so the request's own
     * save writes it whole again; refused, it is marked deleted, and the store writes nothing more of it.
     */
    @Override
    protected void renewSessionId(ManagedSession session, String newId, String newExtendedId) throws Exception {
        if (session == null) {
            return;
        }
        try (AutoLock lock = session.lock()) {
            String oldId = session.getId();
            if (!session.isResident() || session.isInvalidOrInvalidating()) {
                throw new IllegalStateException(
                        "Session " + Redaction.sessionId(oldId) + " is not valid; its id cannot change");
            }
            SessionData data = session.getSessionData();
            boolean savedBefore = data.getLastSaved() > 0;
            data.setId(newId);
            // Never saved under the new id: written whole, and the old id's row is not touched by that write.
            data.setLastSaved(0);
            data.setDirty(true);
            session.setExtendedId(newExtendedId);
            session.onIdChanged();
            doPutIfAbsent(newId, session);
            doDelete(oldId);
            try {
                _sessionDataStore.store(newId, data);
            } catch (Exception e) {
                boolean refused = refused(data);
                LOG.warn(
                        "Could not write session {} under its new id {} ({}); {}",
                        Redaction.sessionId(oldId),
                        Redaction.sessionId(newId),
                        e.toString(),
                        refused
                                ? "the request is refused, and the old id's row is left as it is"
                                : "the request's own save writes it again");
                if (refused) {
                    return;
                }
            }
            if (data instanceof TrackedSessionData tracked && tracked.isDeletedElsewhere()) {
                // Ended elsewhere meanwhile: nothing was written under the new id, and the old id's row is gone or
                // another session's. The request is refused, so that the user does not get a cookie for an id with
                // no session believing a login worked; the copy leaves the cache as the request releases it.
                FailedSaveRefusals refusals = store().refusals();
                if (refusals != null) {
                    refusals.refuseCurrentRequest();
                }
                return;
            }
            if (!deleteRenewedRow(oldId, data.getCreated()) && savedBefore) {
                endedDuringRenewal(oldId, newId, data);
            }
        }
    }

    /**
     * The old id's row was gone when the renewal came to delete it: another node, or an operator, ended the session
     * after this node's check of it (a logout, {@code endSessionsOf}, an expiry). The row just written under the new
     * id would bring it back, and the user would stay logged in under the new cookie. Nobody but this request knows
     * the new id yet: its row is deleted, the data is marked deleted (nothing more of it is written), and the request
     * is refused, so that the user keeps the old cookie, which gets a new session.
     */
    private void endedDuringRenewal(String oldId, String newId, SessionData data) {
        LOG.info(
                "Session {} was ended elsewhere while this node gave it the new id {}; ended under the new id too",
                Redaction.sessionId(oldId),
                Redaction.sessionId(newId));
        if (data instanceof TrackedSessionData tracked) {
            tracked.markDeletedElsewhere();
        }
        try {
            store().deleteCreatedAt(newId, data.getCreated());
        } catch (Exception e) {
            undeleted.failed(newId, data.getCreated(), e);
        }
        FailedSaveRefusals refusals = store().refusals();
        if (refusals != null && refusals.refuseCurrentRequest()) {
            store().getStatistics().endedSessionChangesRefused(1);
        }
    }

    /** True when a save of this data was refused (answered 503, see {@link RowPutBack}). */
    private static boolean refused(SessionData data) {
        return data instanceof TrackedSessionData tracked
                && (tracked.isDeletedElsewhere() || tracked.refusedChanges() != null);
    }

    /**
     * Deletes the old id's row of this session only: another session may hold the id by now.
     *
     * @return false when there was no such row to delete; true when it was deleted, or its delete failed and is owed
     */
    private boolean deleteRenewedRow(String oldId, long createdMs) {
        try {
            boolean deleted = store().deleteCreatedAt(oldId, createdMs);
            undeleted.forget(oldId);
            return deleted;
        } catch (Exception e) {
            undeleted.failed(oldId, createdMs, e);
            return true;
        }
    }

    /** Deletes again a row whose delete failed: only the session it was, when its creation time is known. */
    private boolean deleteAgain(String id, long createdMs) throws Exception {
        return createdMs == UndeletedRows.UNKNOWN_CREATION
                ? _sessionDataStore.delete(id)
                : store().deleteCreatedAt(id, createdMs);
    }

    /** As Jetty's, after trying again the deletes of rows of sessions ended here that the database failed. */
    @Override
    public Set<String> checkExpiration(Set<String> candidates) {
        undeleted.retryAll(this::deleteAgain);
        return super.checkExpiration(candidates);
    }

    /** Tries the deletes still owed once more while the store still runs; what is left is forgotten, and said. */
    @Override
    protected void doStop() throws Exception {
        undeleted.retryAll(this::deleteAgain);
        if (undeleted.size() > 0) {
            LOG.warn(
                    "{} sessions ended here still have rows the database failed to delete; other nodes serve them"
                            + " until they expire",
                    undeleted.size());
        }
        super.doStop();
    }

    /**
     * As Jetty's, but an id whose session could not be read because the database failed counts as in use: Jetty then
     * creates a request's new session under the requested id, which {@link #newSession(String, long, long)} refuses,
     * rather than under a fresh id whose cookie would replace the user's.
     */
    @Override
    public boolean exists(String id) throws Exception {
        if (undeleted.contains(id)) {
            // Ended here: a new session must not take this id, whose row is still to be deleted.
            return false;
        }
        if (unreachable.isUnread(id)) {
            return true;
        }
        try {
            return super.exists(id);
        } catch (Exception e) {
            unreachable.failed(id, e);
            if (unreachable.isUnread(id)) {
                return true;
            }
            throw e;
        }
    }

    /**
     * Refuses to create a session under an id whose stored session could not be read because the database failed:
     * the request is answered 503 and the user keeps the cookie, so the session is there again once the database is.
     * Without this, Jetty gives the request a new, empty session, and the user is logged out by a database restart.
     */
    @Override
    public ManagedSession newSession(String id, long time, long maxInactiveMs) {
        unreachable.refuseNewSession(id);
        return super.newSession(id, time, maxInactiveMs);
    }

    /**
     * Compares a cached session with its row. A session no request here holds is dropped when its attributes changed
     * (and loaded afresh by the caller) or its row is gone. One that a request here still holds (it has answered, and
     * is letting go of the session, when the user's next request arrives) is brought up to date in place, so that
     * every request here keeps holding one object; it is dropped too when its row is gone, and the finishing
     * request's save then finds the row gone and writes nothing.
     */
    private CachedSessionCheck checkAgainstRow(ManagedSession cached) throws Exception {
        try (AutoLock lock = cached.lock()) {
            if (!cached.isResident() || doGet(cached.getId()) != cached) {
                return CachedSessionCheck.CURRENT;
            }
            SessionData data = cached.getSessionData();
            CachedSessionCheck outcome = store().cachedCopies().checkBeforeUse(data);
            if (outcome == CachedSessionCheck.GONE && data.getLastSaved() <= 0) {
                // Never stored (new, or under a renewed id whose first write is still to come or failed): no row is
                // expected yet, and nobody ended it.
                return CachedSessionCheck.CURRENT;
            }
            if (outcome == CachedSessionCheck.ATTRIBUTES_CHANGED && CachedCopies.hasSetChanges(data)) {
                // A change a failed store left unsaved: keep it; its next store merges it onto the row, and the check
                // after that reloads what the other node wrote.
                return CachedSessionCheck.CURRENT;
            }
            if (outcome == CachedSessionCheck.ATTRIBUTES_CHANGED && cached.getRequests() > 0) {
                outcome = store().cachedCopies().refresh(cached.getSessionData());
                if (outcome == CachedSessionCheck.CURRENT
                        || outcome == CachedSessionCheck.ATTRIBUTES_CHANGED && activateTakenIn(cached)) {
                    return outcome;
                }
            }
            if (outcome == CachedSessionCheck.ATTRIBUTES_CHANGED || outcome == CachedSessionCheck.GONE) {
                LOG.debug(
                        "Cached session {} is stale ({}); dropping it from {}",
                        Redaction.sessionId(cached.getId()),
                        outcome,
                        this);
                drop(cached);
            }
            return outcome;
        }
    }

    /**
     * Activates attributes just taken in from the row, as Jetty activates a load's, so that a listener can set up
     * again what it keeps transient. Jetty activates a whole session at once, so the attributes that kept their
     * objects (see {@link TrackedSessionData#takeChangedAttributesFrom}) are activated again too, without a
     * passivation before, much as Jetty activates every attribute again after each save; hiding them during the
     * activation instead would show a listener the session without them. The objects replaced are not passivated:
     * the request holding the session may still be using them, and Jetty passivates only what it is about to write.
     *
     * @return false when a listener failed: the copy, partly activated, is then dropped, and the next request loads
     *     the session afresh (where Jetty activates it, and a listener failing again fails as on any load)
     */
    private boolean activateTakenIn(ManagedSession cached) {
        if (!cached.isValid() || !_sessionDataStore.isPassivating()) {
            return true;
        }
        try {
            cached.onSessionActivation();
            return true;
        } catch (RuntimeException e) {
            LOG.warn(
                    "An activation listener of session {} failed after its attributes were refreshed; dropping it",
                    Redaction.sessionId(cached.getId()),
                    e);
            return false;
        }
    }

    /**
     * As Jetty's, and then a session whose row the store found gone while saving it leaves the cache: another node
     * ended it meanwhile, and the next request with its cookie must not find it here.
     */
    @Override
    public void release(ManagedSession session) throws Exception {
        long savedBefore = session.getSessionData().getLastSaved();
        super.release(session);
        if (session.getSessionData().getLastSaved() != savedBefore) {
            // Just saved: the database writes again, so a delete still owed is likely to succeed now.
            undeleted.retrySomeIfDue(this::deleteAgain);
        }
        if (session.getSessionData() instanceof TrackedSessionData tracked && tracked.isDeletedElsewhere()) {
            try (AutoLock lock = session.lock()) {
                if (session.getRequests() <= 0 && doGet(session.getId()) == session) {
                    LOG.debug(
                            "Session {} was deleted elsewhere; dropping it from {}",
                            Redaction.sessionId(session.getId()),
                            this);
                    drop(session);
                    // Counted as a check that found the row gone would be: under load, another node's logout can
                    // land between this request's check and its save, and then this, not the next check, drops it.
                    store().getStatistics().cacheDropped();
                }
            }
        }
    }

    /**
     * As Jetty's, except that a session found deleted elsewhere is never put in the map: Jetty's {@code release} puts
     * the session it has just saved back in (to make sure it is cached) before {@link #release} here drops it, and a
     * request looking the id up in between would find it there and be handed the ended session without a check.
     */
    @Override
    public Session doPutIfAbsent(String id, ManagedSession session) {
        if (session.getSessionData() instanceof TrackedSessionData tracked && tracked.isDeletedElsewhere()) {
            return null;
        }
        return super.doPutIfAbsent(id, session);
    }

    /** Takes the session out of memory without touching its row; the caller holds its lock. */
    private void drop(ManagedSession session) {
        session.setResident(false);
        doDelete(session.getId());
    }

    private SessionTableDataStore store() {
        return (SessionTableDataStore) _sessionDataStore;
    }
}
