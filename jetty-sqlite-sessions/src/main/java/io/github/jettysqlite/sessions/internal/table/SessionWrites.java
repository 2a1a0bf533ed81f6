package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.KEY;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.PRINCIPAL_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SEALED_ID_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.VERSION_COLUMN;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.eclipse.jetty.session.SessionData;

/**
 * The writes of one session's row: the first insert, the updates of its metadata and attributes with the merge
 * rules that keep concurrent requests' changes (times only move forward, a timeout set on purpose wins), the read of
 * the attributes a merge starts from, and the delete.
 */
public final class SessionWrites {
    private final String insert;
    private final String updateMetadata;
    private final String updateAttributes;
    private final String updateAttributesAnyVersion;
    private final String currentAttributes;
    private final String delete;
    private final String deleteGeneration;

    private final SessionLifetime lifetime;
    private final SessionIds ids;

    SessionWrites(SessionTable table, SessionLifetime lifetime, SessionIds ids) {
        this.lifetime = lifetime;
        this.ids = ids;
        String name = table.name();
        SqlDialect dialect = table.dialect();
        // A first write is a new session. A row with its id may be there already: the same session's (a retry after
        // an ambiguous failure whose first try landed; a renewed id written again), which it replaces, or an
        // expired one not yet swept, which it replaces too; but never another live session's, which would log that
        // user out and hand its id to this one (a request that could not read its session during an outage, say,
        // and went on to create one under the id Jetty still had in use): then nothing is written and the store
        // fails. Replacing keeps the physical row (ON CONFLICT DO UPDATE, where INSERT OR REPLACE would delete and
        // re-insert). The version is bound, not incremented: each write of a new row takes a fresh random first
        // version (see RowVersion), so a node holding the replaced row never finds its version still current.
        insert = "INSERT INTO " + name + " (" + String.join(", ", SessionTable.COLUMNS) + ", " + VERSION_COLUMN + ", "
                + PRINCIPAL_COLUMN + ", " + SEALED_ID_COLUMN + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (context_path, virtual_host, session_id) DO UPDATE SET"
                + " last_node = excluded.last_node, created_ms = excluded.created_ms,"
                + " accessed_ms = excluded.accessed_ms, last_accessed_ms = excluded.last_accessed_ms,"
                + " cookie_set_ms = excluded.cookie_set_ms, last_saved_ms = excluded.last_saved_ms,"
                + " max_inactive_ms = excluded.max_inactive_ms, expires_at = excluded.expires_at,"
                + " attributes = excluded.attributes, " + VERSION_COLUMN + " = excluded." + VERSION_COLUMN + ", "
                + PRINCIPAL_COLUMN + " = excluded." + PRINCIPAL_COLUMN + ", " + SEALED_ID_COLUMN + " = excluded."
                + SEALED_ID_COLUMN
                + " WHERE " + name + ".created_ms = excluded.created_ms OR " + name + ".expires_at <= ?";
        // Time never goes backwards: the access-dependent columns take the written values only when this write's
        // access is at least as recent as the stored one, so a slow request cannot shorten a session that other
        // requests kept alive meanwhile. Every SET expression reads the row as it was before the statement.
        // The timeout is the row's unless this request set one on purpose (the boolean parameter), whatever the
        // access order: a request that merely used the session never undoes a timeout another request set. When the
        // row's timeout differs from the one this request holds, the expiry follows the row's timeout from this
        // access, computed in SQL as Jetty computes it (access + timeout, NULL when the timeout is not positive).
        String newer = "CASE WHEN accessed_ms <= ? THEN ? ELSE ";
        // Under an absolute lifetime, the row's timeout gives at most the cap (the parameter after it; NULL: none).
        String fromRowTimeout = julianDayOf("? + max_inactive_ms");
        String rowTimeoutExpiry = "CASE WHEN max_inactive_ms <= 0 THEN ? WHEN CAST(? AS DOUBLE PRECISION) IS NULL THEN "
                + fromRowTimeout + " ELSE " + dialect.least(fromRowTimeout, "?") + " END";
        String metadata = " last_node = " + newer + "last_node END,"
                + " last_accessed_ms = " + newer + "last_accessed_ms END,"
                + " max_inactive_ms = CASE WHEN ? THEN ? ELSE max_inactive_ms END,"
                + " expires_at = CASE WHEN ? OR (accessed_ms <= ? AND max_inactive_ms = ?) THEN ?"
                + " WHEN accessed_ms <= ? THEN " + rowTimeoutExpiry + " ELSE expires_at END,"
                + " accessed_ms = " + dialect.greatest("accessed_ms", "?") + ","
                + " cookie_set_ms = " + dialect.greatest("cookie_set_ms", "?") + ","
                + " last_saved_ms = " + dialect.greatest("last_saved_ms", "?");
        // Every update names the row's generation as well as its key: a row deleted and created again under the same
        // id (a logout, then a new session given the id Jetty still had in use) is another session, and a request
        // holding the old one must find it gone rather than write its metadata or attributes into the new one.
        String sameSession = KEY + " AND created_ms = ?";
        // The principal is read from the attributes this request holds, so it is written only when those are the
        // row's: with the metadata, when the row's attributes are still at the version this request knows (which
        // also fills the column of rows stored before it existed); with the attributes, when the caller says the
        // written attributes decide the user (the first boolean parameter). Otherwise the row keeps its principal:
        // a request holding an old copy never logs back in a user another node logged out.
        updateMetadata = "UPDATE " + name + " SET" + metadata + ", " + PRINCIPAL_COLUMN + " = CASE WHEN "
                + VERSION_COLUMN + " = ? THEN ? ELSE " + PRINCIPAL_COLUMN + " END" + sameSession;
        String attributesSet = "UPDATE " + name + " SET" + metadata + ", attributes = ?, " + VERSION_COLUMN + " = "
                + VERSION_COLUMN + " + 1, " + PRINCIPAL_COLUMN + " = CASE WHEN ? THEN ? ELSE " + PRINCIPAL_COLUMN
                + " END" + sameSession;
        updateAttributes = attributesSet + " AND " + VERSION_COLUMN + " = ?";
        updateAttributesAnyVersion = attributesSet;
        currentAttributes =
                "SELECT " + VERSION_COLUMN + ", attributes, created_ms, " + PRINCIPAL_COLUMN + " FROM " + name
                        + KEY
                        + dialect.lockingTheRowsRead();
        // The second condition keeps a delete by a former key off protected rows: see SessionIds.formerKeysOf.
        delete = "DELETE FROM " + name + KEY + " AND (? OR " + SEALED_ID_COLUMN + " IS NULL)";
        deleteGeneration =
                "DELETE FROM " + name + KEY + " AND (? OR " + SEALED_ID_COLUMN + " IS NULL) AND created_ms = ?";
    }

    /**
     * Writes every column of a session never saved before, its attributes at version {@code version}, replacing a
     * row of the same key only when it is this session's own (same creation time) or has expired at {@code now}.
     *
     * @return 1 when written; 0 when another live session holds the id, whose row is left as it was
     */
    public int insert(
            CachedConnection c,
            SessionScope scope,
            SessionData data,
            byte[] attributes,
            long version,
            String principal,
            double now)
            throws SQLException {
        PreparedStatement s = c.prepare(insert);
        String key = ids.keyOf(data.getId());
        Sql.bindKey(s, 1, scope, key);
        s.setString(4, data.getLastNode());
        s.setLong(5, data.getCreated());
        s.setLong(6, data.getAccessed());
        s.setLong(7, data.getLastAccessed());
        s.setLong(8, data.getCookieSet());
        s.setLong(9, data.getLastSaved());
        s.setLong(10, data.getMaxInactiveMs());
        Sql.bindExpiry(s, 11, lifetime.cap(data.getExpiry(), data.getCreated()));
        s.setBytes(12, attributes);
        s.setLong(13, version);
        s.setString(14, principal);
        s.setString(15, ids.sealedId(scope.contextPath(), scope.virtualHost(), key, data.getId()));
        s.setDouble(16, now);
        return s.executeUpdate();
    }

    /**
     * Writes the metadata columns only, leaving the attributes and their version as they are; access times and the
     * expiry move forward only.
     *
     * @param principal who the session's attributes say is logged in; written only when the row's attributes are
     *     still at {@code knownVersion}
     * @return the number of rows changed: 0 means the session was deleted since it was loaded (perhaps created again
     *     under the same id, which is another session)
     */
    public int updateMetadata(
            CachedConnection c, SessionScope scope, SessionData data, long knownVersion, String principal)
            throws SQLException {
        PreparedStatement s = c.prepare(updateMetadata);
        int next = bindMetadata(s, 1, data);
        s.setLong(next, knownVersion);
        s.setString(next + 1, principal);
        s.setLong(next + 5, data.getCreated());
        return updateAtRowKey(s, next + 2, scope, data);
    }

    /**
     * Writes the metadata and the attributes of an existing row and moves its attributes' version on, provided the
     * row still holds the attributes' version {@code expected}; never creates a row.
     *
     * @param principal who is logged in, written when {@link PrincipalWrite#decides()}
     * @return 1 when written; 0 when the row is gone or another write changed its attributes since
     */
    public int updateAttributes(
            CachedConnection c,
            SessionScope scope,
            SessionData data,
            byte[] attributes,
            PrincipalWrite principal,
            long expected)
            throws SQLException {
        PreparedStatement s = c.prepare(updateAttributes);
        int next = bindAttributes(s, data, attributes, principal);
        s.setLong(next + 3, data.getCreated());
        s.setLong(next + 4, expected);
        return updateAtRowKey(s, next, scope, data);
    }

    /** As {@link #updateAttributes}, whatever the version: for session data whose loaded version is unknown. */
    public int updateAttributesAnyVersion(
            CachedConnection c, SessionScope scope, SessionData data, byte[] attributes, PrincipalWrite principal)
            throws SQLException {
        PreparedStatement s = c.prepare(updateAttributesAnyVersion);
        int next = bindAttributes(s, data, attributes, principal);
        s.setLong(next + 3, data.getCreated());
        return updateAtRowKey(s, next, scope, data);
    }

    /**
     * Runs a bound update on the session's row (see {@link RowKeys#atRowKey}), the key bound from {@code keyIndex}.
     *
     * @return the number of rows changed
     */
    private int updateAtRowKey(PreparedStatement s, int keyIndex, SessionScope scope, SessionData data)
            throws SQLException {
        return RowKeys.atRowKey(
                ids,
                data,
                key -> {
                    Sql.bindKey(s, keyIndex, scope, key);
                    return s.executeUpdate();
                },
                written -> written > 0);
    }

    /**
     * Who the attributes written say is logged in, and whether they decide it: false when they are merged into
     * attributes another request wrote and this request changed none of those the principal is read from.
     */
    public record PrincipalWrite(boolean decides, String name) {}

    private int bindAttributes(PreparedStatement s, SessionData data, byte[] attributes, PrincipalWrite principal)
            throws SQLException {
        int next = bindMetadata(s, 1, data);
        s.setBytes(next, attributes);
        s.setBoolean(next + 1, principal.decides());
        s.setString(next + 2, principal.name());
        return next + 3;
    }

    /**
     * The attributes as stored now, their version and the row's creation time, read inside the caller's write transaction so that nothing
     * changes them before it commits (on PostgreSQL the row is locked); null when the row is gone.
     */
    public StoredAttributes currentAttributes(CachedConnection c, SessionScope scope, SessionData data)
            throws SQLException {
        PreparedStatement s = c.prepare(currentAttributes);
        return RowKeys.atRowKey(
                ids,
                data,
                key -> {
                    Sql.bindKey(s, 1, scope, key);
                    try (ResultSet row = s.executeQuery()) {
                        return row.next()
                                ? new StoredAttributes(
                                        row.getLong(1), row.getBytes(2), row.getLong(3), row.getString(4))
                                : null;
                    }
                },
                found -> found != null);
    }

    /**
     * Removes a context's session, under its current key and any former one; the number of rows removed (0 or 1,
     * or more if rows of the id were left under several keys).
     */
    public int delete(CachedConnection c, SessionScope scope, String id) throws SQLException {
        return delete(c.prepare(delete), scope, id);
    }

    /**
     * As {@link #delete}, only the session created at {@code createdMs}: a row created again under the id since (a new
     * session given an id still in use elsewhere) is another session, and stays.
     */
    public int deleteCreatedAt(CachedConnection c, SessionScope scope, String id, long createdMs) throws SQLException {
        PreparedStatement s = c.prepare(deleteGeneration);
        s.setLong(5, createdMs);
        return delete(s, scope, id);
    }

    private int delete(PreparedStatement s, SessionScope scope, String id) throws SQLException {
        Sql.bindKey(s, 1, scope, ids.keyOf(id));
        s.setBoolean(4, ids.trustsCurrentKeyOf(id));
        int deleted = s.executeUpdate();
        for (String former : ids.formerKeysOf(id)) {
            Sql.bindKey(s, 1, scope, former);
            s.setBoolean(4, SessionIds.isProtectedKey(former));
            deleted += s.executeUpdate();
        }
        return deleted;
    }

    /**
     * A Julian day computed in SQL from an expression in epoch milliseconds, with the same floating-point steps as
     * {@code JulianDay.fromEpochMillis} (every operand a 64-bit double on both engines), so that reading it back
     * gives the same millisecond Jetty would have computed.
     */
    private static String julianDayOf(String millis) {
        return "(CAST(" + JulianDay.UNIX_EPOCH + " AS DOUBLE PRECISION) + CAST(" + millis
                + " AS DOUBLE PRECISION) / CAST(86400000 AS DOUBLE PRECISION))";
    }

    /**
     * Binds the metadata assignments both updates share, in their order: for the last node and last access the
     * written access time (the condition) and the value; for the timeout whether this request set it and the value;
     * for the expiry whether the timeout was set, the access time and this request's timeout (when the row's is the
     * same, this request's expiry is taken), the expiry, and for the row's timeout from this access the access time
     * and the lifetime's cap; then the access time, cookie time and save time. Every expiry is capped at the
     * session's absolute lifetime.
     *
     * @return the next parameter index
     */
    private int bindMetadata(PreparedStatement s, int first, SessionData data) throws SQLException {
        int i = first;
        long accessed = data.getAccessed();
        boolean timeoutSet = data instanceof TrackedSessionData tracked && tracked.timeoutChanged();
        long cap = lifetime.capOf(data.getCreated());
        s.setLong(i++, accessed);
        s.setString(i++, data.getLastNode());
        s.setLong(i++, accessed);
        s.setLong(i++, data.getLastAccessed());
        s.setBoolean(i++, timeoutSet);
        s.setLong(i++, data.getMaxInactiveMs());
        s.setBoolean(i++, timeoutSet);
        s.setLong(i++, accessed);
        s.setLong(i++, data.getMaxInactiveMs());
        Sql.bindExpiry(s, i++, lifetime.cap(data.getExpiry(), data.getCreated()));
        s.setLong(i++, accessed);
        Sql.bindExpiry(s, i++, cap);
        Sql.bindExpiry(s, i++, cap);
        s.setLong(i++, accessed);
        s.setLong(i++, accessed);
        Sql.bindExpiry(s, i++, cap);
        s.setLong(i++, accessed);
        s.setLong(i++, data.getCookieSet());
        s.setLong(i++, data.getLastSaved());
        return i;
    }
}
