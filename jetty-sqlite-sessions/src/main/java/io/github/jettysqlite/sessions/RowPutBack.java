package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.Redaction;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.io.IOException;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a session's row back in place of the changes of a request the store refused (answered 503, see {@link
 * FailedSaveRefusals}), so that its session stays as the row holds it: the attributes and the timeout are read again
 * from the row (which the refused save left as it was, or as another writer left it since), and nothing is left to
 * save. A session never stored has nothing to go back to (and its cookie is not sent). Runs under the session's
 * lock, where Jetty calls the store.
 *
 * <p>The store keeps no copy of the stored bytes to put back (it would double the heap of every cached session), so
 * it reads the row. SQLite answers reads while another connection holds the write lock or the disk is full; when the
 * database cannot be read either (PostgreSQL down), the changes stay pending in the data and are dropped at the first
 * moment the row reads again and before anyone uses or saves the session: as the next request takes the session
 * ({@link TrackedSessionData#setAccessed}), as a coherent cache checks it ({@link #beforeCheck}), or as it is saved
 * ({@link #beforeSave}). Until then every save of it fails, as the database does.
 */
final class RowPutBack {
    /** The store's own category, which operators configure for everything the store says. */
    private static final Logger LOG = LoggerFactory.getLogger(SessionTableDataStore.class);

    private final SessionDataReader rows;
    private final SessionScope scope;
    /** The store, as the log names it. */
    private final Object store;

    RowPutBack(SessionDataReader rows, SessionScope scope, Object store) {
        this.rows = rows;
        this.scope = scope;
        this.store = store;
    }

    /** Drops the changes of a save the store refused, now if the row reads, else when it next does. */
    void drop(SessionData data) {
        if (!(data instanceof TrackedSessionData tracked) || !tracked.hasBaseline()) {
            return;
        }
        // Other requests sharing the session whose changes go with these are refused too, not answered 200.
        FailedSaveRefusals.refuseAlso(tracked.takeSetters());
        tracked.refused(this::tryPutBack);
        tryPutBack(tracked);
    }

    /**
     * Before a save, drops changes refused earlier that are still pending; when that succeeds only now, the changes
     * this save was to write were made on top of them, by a request that was served the refused changes, and are
     * refused too.
     */
    void beforeSave(SessionData data) throws IOException, SessionDatabaseException {
        if (data instanceof TrackedSessionData tracked
                && tracked.refusedChanges() == null
                && tracked.setByARefusedRequest()) {
            // A request answered 503 set some of these changes after its refusal: none of its changes may be kept, so
            // the row goes back in place of them all, and the requests whose changes go with them are refused too.
            putBackOrFail(tracked);
            return;
        }
        if (data instanceof TrackedSessionData tracked && tracked.refusedChanges() != null) {
            boolean ownChanges = CachedCopies.hasSetChanges(tracked);
            putBackOrFail(tracked);
            if (ownChanges) {
                throw new SessionDatabaseException(
                        "Session " + Redaction.sessionId(data.getId()) + " of " + scope
                                + " held changes the database refused before;"
                                + " they are dropped, and this save, made on top of them, is not written",
                        null);
            }
        }
    }

    /**
     * Before a cached copy is checked and served, its refused changes give way to the row; a database that cannot be
     * read fails the check, so the copy is not served.
     */
    void beforeCheck(SessionData cached) throws SessionDatabaseException {
        if (cached instanceof TrackedSessionData tracked && tracked.refusedChanges() != null) {
            try {
                putBack(tracked);
            } catch (UnreadableSessionDataException e) {
                LOG.warn(
                        "Cannot read session {} in {} to drop the changes the database refused",
                        Redaction.sessionId(cached.getId()),
                        store,
                        e);
            }
        }
    }

    /** Puts the row back in place of refused changes, or leaves them pending and says why. */
    private void tryPutBack(TrackedSessionData data) {
        try {
            putBack(data);
        } catch (Exception e) {
            LOG.warn(
                    "Cannot read session {} in {} to drop the changes the database refused; they are dropped when it"
                            + " reads again, and are not saved meanwhile: {}",
                    Redaction.sessionId(data.getId()),
                    store,
                    e.toString());
        }
    }

    /**
     * As {@link #putBack}, failing as the database does; a row that no longer reads (the filter refuses it now) leaves
     * the changes pending, and fails the save as an attribute that cannot be written does.
     */
    private void putBackOrFail(TrackedSessionData data) throws IOException, SessionDatabaseException {
        try {
            putBack(data);
        } catch (UnreadableSessionDataException e) {
            throw new IOException(
                    "Cannot read session " + Redaction.sessionId(data.getId()) + " of " + scope
                            + " to drop the changes the" + " database refused",
                    e);
        }
    }

    /** Reads the row and puts it in place of the data's attributes and timeout; a row gone leaves none. */
    private void putBack(TrackedSessionData data) throws SessionDatabaseException, UnreadableSessionDataException {
        SessionData fresh = rows.read(data.getId(), null);
        // Whoever set something since the refusal (on top of the changes it left pending) loses it too.
        FailedSaveRefusals.refuseAlso(data.takeSetters());
        if (fresh instanceof TrackedSessionData row && row.getCreated() == data.getCreated()) {
            data.restore(row);
        } else {
            data.restoreGone();
        }
    }
}
