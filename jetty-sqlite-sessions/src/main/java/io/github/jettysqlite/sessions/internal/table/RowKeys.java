package io.github.jettysqlite.sessions.internal.table;

import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.eclipse.jetty.session.SessionData;

/**
 * Which values of the key column a session's row may be under, and which of them an id may use: the rules every
 * statement family that finds a row by its id shares, so that a read, a write and a delete of one id reach one row.
 */
final class RowKeys {
    private RowKeys() {}

    /** A statement run with one value of the row's key column. */
    @FunctionalInterface
    interface AtKey<T> {
        T run(String key) throws SQLException;
    }

    /**
     * A row looked up by a plain id (a former plain key, or a hash-looking id a plain store was given) is the id's
     * only if its id is not sealed: a protected row is never reached by presenting its key column. A row under a
     * hash this store computed is the id's, since only the id hashes to it.
     */
    static boolean mayUse(boolean plainOnly, String sealedId) {
        return !plainOnly || sealedId == null;
    }

    /** Every value the key column may hold for this id, the current form first (see {@link SessionIds}). */
    static List<String> keysOf(SessionIds ids, String id) {
        List<String> keys = new ArrayList<>();
        keys.add(ids.keyOf(id));
        keys.addAll(ids.formerKeysOf(id));
        return keys;
    }

    /**
     * Runs a statement on a loaded session's row: under the key it was loaded from, and when that finds nothing and
     * was a former key, under the current one (the {@code seal} command moves rows there while servers run), which
     * the session then remembers.
     */
    static <T> T atRowKey(SessionIds ids, SessionData data, AtKey<T> statement, Predicate<T> found)
            throws SQLException {
        String current = ids.keyOf(data.getId());
        String rowKey = data instanceof TrackedSessionData tracked ? tracked.rowKey() : null;
        if (rowKey == null || rowKey.equals(current)) {
            return statement.run(current);
        }
        T result = statement.run(rowKey);
        if (found.test(result)) {
            return result;
        }
        result = statement.run(current);
        if (found.test(result)) {
            ((TrackedSessionData) data).rowKey(null);
        }
        return result;
    }
}
