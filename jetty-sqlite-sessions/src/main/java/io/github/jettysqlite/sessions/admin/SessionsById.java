package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin's lookups and deletes of one session by its id, in every context that holds it. An operator may give
 * the id as the table holds it, or as the browser holds it together with the attribute keys: a table with protected
 * ids keeps a row under the id's hash under one of them, so each key's hash is tried, then the plain id.
 */
record SessionsById(SessionDatabase database, AdminQueries queries) {
    /** See {@link SessionDatabaseAdmin#show(String, String)}; null keys: the id as the table holds it. */
    List<SessionDetail> show(String id, String attributeKeys) throws SessionDatabaseException {
        if (attributeKeys == null) {
            return database.read(c -> queries.findById(c, id));
        }
        List<String> keys = rowKeys(id, attributeKeys);
        return database.read(c -> {
            List<SessionDetail> found = new ArrayList<>();
            for (String key : keys) {
                found.addAll(queries.findById(c, key));
            }
            return found;
        });
    }

    /** See {@link SessionDatabaseAdmin#deleteSession(String, String)}; null keys: the id as the table holds it. */
    int delete(String id, String attributeKeys) throws SessionDatabaseException {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a session id is required");
        }
        if (attributeKeys == null) {
            return database.changingAll(() -> database.write(c -> queries.deleteById(c, id)));
        }
        List<String> keys = rowKeys(id, attributeKeys);
        return database.changingAll(() -> database.write(c -> {
            int deleted = 0;
            for (String key : keys) {
                deleted += queries.deleteById(c, key);
            }
            return deleted;
        }));
    }

    /** Every key a row of this browser-held id may be under, given the keys ({@code env:}/{@code file:}, comma-separated). */
    private static List<String> rowKeys(String id, String attributeKeys) {
        return SessionIds.opening(AttributeSeal.of(null, attributeKeys)).anyKeyOf(id);
    }
}
