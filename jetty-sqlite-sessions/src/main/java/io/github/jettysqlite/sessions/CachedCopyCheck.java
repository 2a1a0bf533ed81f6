package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.table.CheckedRow;
import io.github.jettysqlite.sessions.internal.table.RowStamp;
import io.github.jettysqlite.sessions.internal.table.SessionLifetime;
import io.github.jettysqlite.sessions.internal.table.SessionReads;
import io.github.jettysqlite.sessions.internal.table.StoredSession;
import org.eclipse.jetty.session.SessionData;

/**
 * Compares a cached session with its row by a primary-key probe that reads no attributes, and takes in what another
 * node changed in the metadata. The attributes' version tells whether the attributes are still the ones cached: it
 * moves on with every attribute write and starts at a random number when a row is created, so an equal version
 * means the same row with the same attributes.
 *
 * <p>When the attributes changed, the same read brings the row whole, and the load that follows on this thread (the
 * cache drops its copy and Jetty loads the session again) takes it from here rather than reading the row twice.
 */
final class CachedCopyCheck {
    /** A row read whole by a check, for the load that follows it on the same thread. */
    private record Prefetched(String id, StoredSession row) {}

    private final ThreadLocal<Prefetched> prefetched = new ThreadLocal<>();

    /**
     * How long a copy is used on the strength of the change signals alone, before its row is read again anyway. It
     * bounds how long a change the signals did not carry stays unseen: one written by a program other than this
     * library (an operator's SQL), or by a node of a version before the signals.
     */
    static final long TRUST_MS = 1_000;

    private final SessionDatabase database;
    private final SessionReads reads;
    private final String table;
    private final SessionScope scope;
    private final SessionLifetime lifetime;

    CachedCopyCheck(
            SessionDatabase database, SessionReads reads, String table, SessionScope scope, SessionLifetime lifetime) {
        this.database = database;
        this.reads = reads;
        this.table = table;
        this.scope = scope;
        this.lifetime = lifetime;
    }

    /**
     * A session's mark and the time it was asked for, taken before a check: a read of the row that follows is as of
     * both or later.
     */
    record Look(ChangeSignals.Mark mark, long atMs, boolean unchangedSinceTrusted) {}

    /**
     * Takes a look at the session's mark. Where this process's knowledge of other processes' changes may lag
     * (PostgreSQL), what it knows is looked at first, without waiting: a read that follows that mark is still as of
     * it (a change committed meanwhile moves a later mark); only a copy that the mark would let the cache use without
     * reading waits to catch up, and is used only if the mark it catches up on is the same.
     *
     * @return the look a read of the row may follow, and whether the copy may be used without one
     */
    Look look(SessionData cached) {
        long atMs = System.currentTimeMillis();
        ChangeSignals signals = database.signals();
        if (!signals.knownMarksMayLag()) {
            ChangeSignals.Mark mark = signals.mark(table, scope, cached.getId());
            return new Look(mark, atMs, mayUse(cached, mark));
        }
        ChangeSignals.Mark known = signals.markKnown(table, scope, cached.getId());
        if (!mayUse(cached, known)) {
            return new Look(known, atMs, false);
        }
        ChangeSignals.Mark caughtUp = signals.mark(table, scope, cached.getId());
        return new Look(caughtUp, atMs, caughtUp != null && caughtUp.equals(known) && mayUse(cached, caughtUp));
    }

    /**
     * True when the copy may be used without reading its row: no change of the session (nor of all sessions) was
     * announced since the copy was known to be what the row holds, that was recently, and by the copy's own clock the
     * session has not expired (an expiry is always checked against the row, which another node may have moved on).
     */
    private boolean mayUse(SessionData cached, ChangeSignals.Mark mark) {
        if (!(cached instanceof TrackedSessionData tracked) || tracked.refusedChanges() != null) {
            // Changes the database refused must give way to the row first (see RowPutBack#beforeCheck).
            return false;
        }
        // Now, after the mark: a wait for it must not stretch the second a copy may be trusted, nor hide an expiry.
        long now = System.currentTimeMillis();
        return mark != null
                && tracked.trustedAt(mark.session(), mark.all(), mark.board(), now, TRUST_MS)
                && !cached.isExpiredAt(now)
                && !lifetime.isOver(cached.getCreated(), now);
    }

    /**
     * @param forReload whether a load of this session follows on this thread, which may take the row this check read
     *     whole (see {@link #takePrefetched})
     * @param look taken before the read; the trust runs from it, so a pause during the read cannot stretch the second
     *     it may last
     */
    CachedSessionCheck check(SessionData cached, boolean forReload, Look look) throws SessionDatabaseException {
        prefetched.remove();
        ChangeSignals.Mark before = look.mark();
        CachedSessionCheck outcome = readAndCompare(cached, forReload);
        if (cached instanceof TrackedSessionData tracked) {
            // Current as of the mark taken before the read, if no change began while it ran. A change another node
            // committed during the read moves the next look's mark, so what this node knows now is enough here.
            boolean current = outcome == CachedSessionCheck.CURRENT || outcome == CachedSessionCheck.METADATA_TAKEN;
            if (current
                    && before != null
                    && before.equals(database.signals().markKnown(table, scope, cached.getId()))) {
                tracked.trustUntil(before.session(), before.all(), before.board(), look.atMs());
            } else {
                tracked.distrust();
            }
        }
        return outcome;
    }

    private CachedSessionCheck readAndCompare(SessionData cached, boolean forReload) throws SessionDatabaseException {
        long known = cached instanceof TrackedSessionData tracked && tracked.hasBaseline()
                ? tracked.storedVersion()
                : TrackedSessionData.UNKNOWN_VERSION;
        CheckedRow checked = database.read(c -> reads.probeOrLoad(c, scope, cached, known));
        if (checked == null || lifetime.isOver(cached.getCreated(), System.currentTimeMillis())) {
            return CachedSessionCheck.GONE;
        }
        RowStamp row = checked.stamp();
        if (!(cached instanceof TrackedSessionData tracked)
                || !tracked.hasBaseline()
                || tracked.storedVersion() != row.attributesVersion()) {
            if (forReload && checked.changedRow() != null) {
                prefetched.set(new Prefetched(cached.getId(), checked.changedRow()));
            }
            return CachedSessionCheck.ATTRIBUTES_CHANGED;
        }
        boolean taken = takeMetadata(tracked, row);
        // Jetty moves a cached session's expiry on at each access; the absolute lifetime still ends it.
        lifetime.capExpiry(tracked);
        return taken ? CachedSessionCheck.METADATA_TAKEN : CachedSessionCheck.CURRENT;
    }

    /**
     * The row the last check on this thread read whole, if it was of this session; it is handed out once. A load that
     * takes it reads what a load of its own would have read a moment earlier, within the same request.
     */
    StoredSession takePrefetched(String id) {
        Prefetched row = prefetched.get();
        if (row == null) {
            return null;
        }
        prefetched.remove();
        return row.id().equals(id) ? row.row() : null;
    }

    /** Forgets a row a check read whole and no load took, when the request's look-up is over. */
    void forgetPrefetched() {
        prefetched.remove();
    }

    /**
     * Brings a cached session that a request on this node still holds up to date with its row, in place: the
     * attributes changed elsewhere replace the copy's, those unchanged keep their objects (which the holding request
     * may still change in place; see {@link TrackedSessionData#takeChangedAttributesFrom}), and the session object
     * stays the one every request here holds; its metadata is taken in. A copy holding changes not yet saved is left
     * as it is, for its own store to merge.
     *
     * @param load a fresh load of the session, as the store's {@code load} gives it (null when the row is gone)
     */
    static CachedSessionCheck refreshInPlace(TrackedSessionData copy, SessionData load) {
        if (load == null || load.getCreated() != copy.getCreated()) {
            // Gone, or created anew under the same id: another session, whose attributes this copy must not take.
            return CachedSessionCheck.GONE;
        }
        if (copy.isDirty() || !(load instanceof TrackedSessionData fresh)) {
            return CachedSessionCheck.CURRENT;
        }
        copy.takeChangedAttributesFrom(fresh);
        takeMetadata(
                copy,
                new RowStamp(
                        fresh.storedVersion(),
                        fresh.getAccessed(),
                        fresh.getLastAccessed(),
                        fresh.getMaxInactiveMs(),
                        fresh.getExpiry(),
                        fresh.getCookieSet(),
                        fresh.getLastSaved()));
        return CachedSessionCheck.ATTRIBUTES_CHANGED;
    }

    /**
     * Takes in a more recent access and a timeout another request set, as the table's write rules would leave them:
     * times only move forward, and a timeout this copy changed but has not stored yet stays this copy's.
     *
     * @return true when anything changed in the copy
     */
    static boolean takeMetadata(TrackedSessionData copy, RowStamp row) {
        boolean changed = false;
        boolean timeoutFromRow = !copy.timeoutChanged() && row.maxInactiveMs() != copy.getMaxInactiveMs();
        if (timeoutFromRow) {
            copy.setMaxInactiveMs(row.maxInactiveMs());
            copy.timeoutStored();
            changed = true;
        }
        if (row.accessed() > copy.getAccessed()) {
            copy.setAccessed(row.accessed());
            copy.setLastAccessed(row.lastAccessed());
            copy.setExpiry(row.expiry());
            changed = true;
        } else if (timeoutFromRow) {
            copy.setExpiry(copy.calcExpiry(copy.getAccessed()));
        }
        if (row.cookieSet() > copy.getCookieSet()) {
            copy.setCookieSet(row.cookieSet());
            changed = true;
        }
        if (row.lastSaved() > copy.getLastSaved()) {
            copy.setLastSaved(row.lastSaved());
            changed = true;
        }
        return changed;
    }
}
