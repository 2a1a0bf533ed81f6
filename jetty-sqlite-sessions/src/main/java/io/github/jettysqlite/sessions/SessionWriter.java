package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.AttributeChanges;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import io.github.jettysqlite.sessions.internal.table.StoredAttributes;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.session.SessionData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a store writes a session so that concurrent requests of one session keep each other's changes and a deleted
 * session stays deleted.
 *
 * <ul>
 *   <li>A session never saved before is inserted whole.
 *   <li>A session saved before is only ever updated, and never recreated: if its row is gone, another request or
 *       node deleted it (a logout) and it stays deleted.
 *   <li>When no attribute changed, only the metadata is written: no attribute is rewritten.
 *   <li>When attributes changed, the row is updated on condition that its attributes are still at the version this
 *       request loaded: with no concurrent writer, one statement. Otherwise the row is read inside a write
 *       transaction (locked on PostgreSQL), this request's changes and removals are applied to the attributes as
 *       the other writer left them, byte for byte, and the result is written: two requests that set different
 *       attributes both keep their change, and of two that set the same one, the later commit wins it whole.
 *   <li>Access times and the expiry never move backwards (see {@link SessionStatements}).
 * </ul>
 */
final class SessionWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SessionWriter.class);

    private final SessionDatabase database;
    private final SessionStatements table;
    private final SessionScope scope;
    private final SessionAttributes attributes;
    private final boolean compareInPlace;
    private final SessionStoreStatistics statistics;

    SessionWriter(
            SessionDatabase database,
            SessionStatements table,
            SessionScope scope,
            SessionAttributes attributes,
            boolean compareInPlace,
            SessionStoreStatistics statistics) {
        this.database = database;
        this.table = table;
        this.scope = scope;
        this.attributes = attributes;
        this.compareInPlace = compareInPlace;
        this.statistics = statistics;
    }

    /**
     * @param lastSaveTime when the session was last saved; 0 or less for a session never saved (new, or renewed)
     * @throws IOException when an attribute cannot be serialized; nothing is written then
     */
    void store(SessionData data, long lastSaveTime) throws IOException, SessionDatabaseException {
        AttributeSeal.SessionKey key = keyOf(data.getId());
        if (lastSaveTime <= 0) {
            AttributeChanges all = attributes.changes(data, true);
            byte[] blob = attributes.encode(all.all(), key);
            database.writeStatement(c -> {
                table.upsert(c, scope, data, blob);
                return null;
            });
            stored(data, all.all(), 0);
            return;
        }
        if (!(data instanceof TrackedSessionData tracked)) {
            // Data this store did not create: nothing known to merge with, a change replaces the attributes.
            byte[] whole = data.isDirty()
                    ? attributes.encode(attributes.changes(data, true).all(), key)
                    : null;
            int updated = database.writeStatement(c -> whole == null
                    ? table.updateMetadata(c, scope, data)
                    : table.updateAttributesAnyVersion(c, scope, data, whole));
            if (updated == 0) {
                deletedElsewhere(data);
            }
            return;
        }
        AttributeChanges changes = attributes.changes(data, compareInPlace);
        if (changes.isEmpty() && !tracked.rewriteAttributes()) {
            if (database.writeStatement(c -> table.updateMetadata(c, scope, data)) == 0) {
                deletedElsewhere(data);
            }
            return;
        }
        byte[] blob = attributes.encode(changes.all(), key);
        long expected = tracked.storedVersion();
        if (expected != TrackedSessionData.UNKNOWN_VERSION
                && database.writeStatement(c -> table.updateAttributes(c, scope, data, blob, expected)) == 1) {
            stored(data, changes.all(), expected + 1);
            return;
        }
        Long merged = database.write(c -> {
            StoredAttributes theirs = table.currentAttributes(c, scope, data.getId());
            if (theirs == null) {
                return null;
            }
            Map<String, byte[]> base = attributes.storedByAnother(theirs.attributes(), key);
            byte[] result = base == null ? blob : attributes.encode(changes.appliedTo(base), key);
            table.updateAttributes(c, scope, data, result, theirs.version());
            return theirs.version();
        });
        if (merged == null) {
            deletedElsewhere(data);
            return;
        }
        statistics.mergedWrite();
        LOG.debug(
                "Session {} of {} was changed by another request meanwhile; merged this request's changes into it",
                data.getId(),
                scope);
        // The row now holds the other writer's attributes too, which this data does not: its next write must merge
        // again rather than write this data's attributes whole.
        stored(data, changes.all(), TrackedSessionData.UNKNOWN_VERSION);
    }

    private void deletedElsewhere(SessionData data) {
        statistics.storeOfDeletedSession();
        LOG.debug("Not storing session {} of {}: it was deleted elsewhere since it was loaded", data.getId(), scope);
    }

    private static void stored(SessionData data, Map<String, byte[]> attributes, long version) {
        if (data instanceof TrackedSessionData tracked) {
            tracked.stored(attributes, version);
        }
    }

    private AttributeSeal.SessionKey keyOf(String id) {
        return new AttributeSeal.SessionKey(scope.contextPath(), scope.virtualHost(), id);
    }
}
