package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.io.IOException;
import org.eclipse.jetty.session.SessionData;

/**
 * What {@link CoherentSessionCache} asks of a started store about the copies it holds: is a copy still what its row
 * holds, bring a copy a request still holds up to date in place, and does a copy hold changes its row lacks. Each
 * call is timed and counted in the store's statistics.
 */
final class CachedCopies {
    /** The store's load, run as Jetty runs it (in the context's class loader). */
    interface Load {
        SessionData load(String id) throws Exception;
    }

    private final CachedCopyCheck check;
    private final RowPutBack putBack;
    private final SessionAttributes attributes;
    private final boolean saveInPlaceChanges;
    private final SessionStoreStatistics statistics;
    private final Load load;

    CachedCopies(
            CachedCopyCheck check,
            RowPutBack putBack,
            SessionAttributes attributes,
            boolean saveInPlaceChanges,
            SessionStoreStatistics statistics,
            Load load) {
        this.check = check;
        this.putBack = putBack;
        this.attributes = attributes;
        this.saveInPlaceChanges = saveInPlaceChanges;
        this.statistics = statistics;
        this.load = load;
    }

    /**
     * Compares a session a cache holds with its row by a probe that reads no attributes (unless the database's change
     * signals say that nothing changed it since it was last known current, see {@link
     * io.github.jettysqlite.sessions.internal.ChangeSignals}): the metadata another node changed (a later access, a
     * timeout set on purpose) is taken into {@code cached}; changed attributes, or a row gone, are reported for the
     * cache to reload or drop the session.
     *
     * @throws SessionDatabaseException when the database cannot be read; the cached copy is left as it was
     */
    CachedSessionCheck check(SessionData cached) throws SessionDatabaseException {
        return check(cached, false);
    }

    /**
     * As {@link #check(SessionData)}, for a cache that reloads the session on this thread when its attributes
     * changed: the load takes the row this check read, once; {@link #checkedRowUnused} forgets it otherwise.
     */
    CachedSessionCheck checkBeforeUse(SessionData cached) throws SessionDatabaseException {
        return check(cached, true);
    }

    private CachedSessionCheck check(SessionData cached, boolean forReload) throws SessionDatabaseException {
        CachedCopyCheck.Look look = check.look(cached);
        if (look.unchangedSinceTrusted()) {
            statistics.cacheCheckSignalled();
            return CachedSessionCheck.CURRENT;
        }
        return statistics.cacheChecks().time(() -> {
            putBack.beforeCheck(cached);
            CachedSessionCheck outcome = check.check(cached, forReload, look);
            statistics.cacheChecked(outcome);
            return outcome;
        });
    }

    /** Forgets what a check of this thread read for a load that did not come (see {@link CachedCopyCheck}). */
    void checkedRowUnused() {
        check.forgetPrefetched();
    }

    /**
     * Brings a cached session that a request still holds up to date with its row, in place, after {@link #check}
     * found its attributes changed: the row's attributes and metadata are taken into {@code cached} unless it holds
     * changes not yet saved.
     *
     * @return {@link CachedSessionCheck#ATTRIBUTES_CHANGED} when taken in, {@link CachedSessionCheck#GONE} when the
     *     row is gone, {@link CachedSessionCheck#CURRENT} when left as it was
     */
    CachedSessionCheck refresh(SessionData cached) throws Exception {
        if (!(cached instanceof TrackedSessionData copy) || hasUnsavedChanges(cached, true)) {
            return CachedSessionCheck.CURRENT;
        }
        return CachedCopyCheck.refreshInPlace(copy, load.load(cached.getId()));
    }

    /**
     * True when the cached data holds changes its row does not: set and not yet saved (a store failed, or the
     * request holding it has not saved yet), or, with {@code inPlaceToo}, made in place to an attribute's object
     * (when {@code saveInPlaceChanges}, found by serializing every attribute and comparing; only for a session a
     * request still holds, since an object that serializes differently each time would otherwise look changed
     * forever and keep an idle copy from ever being reloaded).
     */
    boolean hasUnsavedChanges(SessionData cached, boolean inPlaceToo) throws IOException {
        return hasSetChanges(cached)
                || inPlaceToo
                        && saveInPlaceChanges
                        && !attributes.changes(cached, true).isEmpty();
    }

    /** True when the data holds changes set and not yet saved. */
    static boolean hasSetChanges(SessionData data) {
        return data.isDirty()
                || data instanceof TrackedSessionData tracked
                        && !tracked.namesSet().isEmpty();
    }
}
