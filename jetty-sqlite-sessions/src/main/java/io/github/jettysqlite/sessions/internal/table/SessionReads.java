package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.KEY;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.PRINCIPAL_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SEALED_ID_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.VERSION_COLUMN;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.eclipse.jetty.session.SessionData;

/**
 * The request path's reads of one session by its id: a load, whether it exists, and the probe a cache checks its
 * copy with. Each finds the row under the id's current key or a former one, as {@link RowKeys} says.
 */
public final class SessionReads {
    private final String load;
    private final String probe;
    private final String probeOrLoad;
    private final String existsUnexpired;

    private final SessionIds ids;

    SessionReads(SessionTable table, SessionIds ids) {
        this.ids = ids;
        String name = table.name();
        // The principal comes with the attributes, in one snapshot: a write of a session some of whose attributes this
        // node cannot load keeps it, and a write under a new id needs it (see TrackedSessionData.unloadedPrincipal).
        load = "SELECT last_node, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms,"
                + " max_inactive_ms, expires_at, attributes, " + VERSION_COLUMN + ", " + SEALED_ID_COLUMN + ", "
                + PRINCIPAL_COLUMN + " FROM " + name + KEY;
        probe = "SELECT " + VERSION_COLUMN + ", accessed_ms, last_accessed_ms, max_inactive_ms, expires_at,"
                + " cookie_set_ms, last_saved_ms FROM " + name + KEY;
        // The attributes leave the database only when their version is not the one the cache holds: one read both
        // checks a cached copy and, when another node changed it, reloads it.
        probeOrLoad = "SELECT last_node, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms,"
                + " max_inactive_ms, expires_at, CASE WHEN " + VERSION_COLUMN + " = ? THEN NULL ELSE attributes END, "
                + VERSION_COLUMN + ", " + PRINCIPAL_COLUMN + " FROM " + name + KEY;
        existsUnexpired =
                "SELECT " + SEALED_ID_COLUMN + " FROM " + name + KEY + " AND (expires_at IS NULL OR expires_at > ?)";
    }

    /**
     * Reads one session row of a context, expired or not; null when there is none. With protected ids, a row not
     * found under the current key is looked for under the id's former keys (see {@link SessionIds#formerKeysOf}), and
     * the key it was found under comes back with it.
     */
    public StoredSession load(CachedConnection c, SessionScope scope, String id) throws SQLException {
        String current = ids.keyOf(id);
        boolean plainOnly = !ids.trustsCurrentKeyOf(id);
        StoredSession row = loadAt(c, scope, current, plainOnly, null);
        List<String> formers = ids.formerKeysOf(id);
        for (String former : formers) {
            if (row != null) {
                return row;
            }
            row = loadAt(c, scope, former, !SessionIds.isProtectedKey(former), former);
        }
        // Each read is a snapshot of its own: the seal command may have moved the row under the current key between
        // the first look and the last, so a miss everywhere looks there once more.
        return row != null || formers.isEmpty() ? row : loadAt(c, scope, current, plainOnly, null);
    }

    /**
     * The row under this key; with {@code plainOnly}, only a row whose id is not sealed (a plain id's row: see {@link
     * RowKeys#mayUse}).
     *
     * @param rowKey what the row comes back marked with: its key when not the current one, else null
     */
    private StoredSession loadAt(CachedConnection c, SessionScope scope, String key, boolean plainOnly, String rowKey)
            throws SQLException {
        PreparedStatement s = c.prepare(load);
        Sql.bindKey(s, 1, scope, key);
        try (ResultSet row = c.query(s)) {
            if (!row.next() || !RowKeys.mayUse(plainOnly, row.getString(11))) {
                return null;
            }
            return storedSession(row, rowKey, 12);
        }
    }

    /**
     * The first ten columns of {@code load} and {@code probeOrLoad}, which list them alike, and the principal from
     * the column at {@code principalAt}.
     */
    private static StoredSession storedSession(ResultSet row, String rowKey, int principalAt) throws SQLException {
        return new StoredSession(
                row.getString(1),
                row.getLong(2),
                row.getLong(3),
                row.getLong(4),
                row.getLong(5),
                row.getLong(6),
                row.getLong(7),
                Sql.expiry(row, 8),
                row.getBytes(9),
                row.getLong(10),
                rowKey,
                row.getString(principalAt));
    }

    /** True when the context holds the session and it has not expired at {@code now} (a Julian day). */
    public boolean existsUnexpired(CachedConnection c, SessionScope scope, String id, double now) throws SQLException {
        PreparedStatement s = c.prepare(existsUnexpired);
        s.setDouble(4, now);
        String current = ids.keyOf(id);
        boolean plainOnly = !ids.trustsCurrentKeyOf(id);
        List<String> formers = ids.formerKeysOf(id);
        if (existsAt(c, s, scope, current, plainOnly)) {
            return true;
        }
        for (String former : formers) {
            if (existsAt(c, s, scope, former, !SessionIds.isProtectedKey(former))) {
                return true;
            }
        }
        // As in load: the row may have moved under the current key meanwhile.
        return !formers.isEmpty() && existsAt(c, s, scope, current, plainOnly);
    }

    private static boolean existsAt(
            CachedConnection c, PreparedStatement s, SessionScope scope, String key, boolean plainOnly)
            throws SQLException {
        Sql.bindKey(s, 1, scope, key);
        try (ResultSet row = c.query(s)) {
            return row.next() && RowKeys.mayUse(plainOnly, row.getString(1));
        }
    }

    /**
     * What a cache needs to tell whether its copy of a session is still what the row holds, without the attributes:
     * their version and the metadata; null when the row is gone.
     */
    public RowStamp probe(CachedConnection c, SessionScope scope, SessionData data) throws SQLException {
        return RowKeys.atRowKey(ids, data, key -> probeAt(c, scope, key), stamp -> stamp != null);
    }

    /**
     * As {@link #probe}, and with the row's attributes when their version is not {@code knownVersion}, so that a cache
     * whose copy another node changed reloads it from this same read. The attributes come only for a row under the
     * id's current key that the id may use there (as {@link #load} would find it); for a row kept under a former key
     * the answer holds the metadata alone, and the caller loads as usual.
     *
     * @return null when the row is gone
     */
    public CheckedRow probeOrLoad(CachedConnection c, SessionScope scope, SessionData data, long knownVersion)
            throws SQLException {
        String current = ids.keyOf(data.getId());
        String rowKey = data instanceof TrackedSessionData tracked ? tracked.rowKey() : null;
        if ((rowKey != null && !rowKey.equals(current)) || !ids.trustsCurrentKeyOf(data.getId())) {
            RowStamp stamp = probe(c, scope, data);
            return stamp == null ? null : new CheckedRow(stamp, null);
        }
        PreparedStatement s = c.prepare(probeOrLoad);
        s.setLong(1, knownVersion);
        Sql.bindKey(s, 2, scope, current);
        try (ResultSet row = c.query(s)) {
            if (!row.next()) {
                return null;
            }
            StoredSession stored = storedSession(row, null, 11);
            return new CheckedRow(stored.stamp(), stored.attributesVersion() == knownVersion ? null : stored);
        }
    }

    private RowStamp probeAt(CachedConnection c, SessionScope scope, String key) throws SQLException {
        PreparedStatement s = c.prepare(probe);
        Sql.bindKey(s, 1, scope, key);
        try (ResultSet row = c.query(s)) {
            if (!row.next()) {
                return null;
            }
            return new RowStamp(
                    row.getLong(1),
                    row.getLong(2),
                    row.getLong(3),
                    row.getLong(4),
                    Sql.expiry(row, 5),
                    row.getLong(6),
                    row.getLong(7));
        }
    }
}
