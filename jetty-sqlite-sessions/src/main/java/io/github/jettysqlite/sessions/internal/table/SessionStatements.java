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
import java.io.InvalidObjectException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.eclipse.jetty.session.SessionData;

/**
 * Every statement a store runs on the request path and in scavenging, each built once per table and prepared once
 * per connection, so that no request parses SQL.
 */
public final class SessionStatements {
    /**
     * Rows deleted per write transaction, by the stores' expiry sweep and the tools' purges alike, so a mass delete
     * never holds the write lock for long.
     */
    public static final int DELETE_BATCH = 500;

    private final String load;
    private final String existsUnexpired;
    private final String insert;
    private final String probe;
    private final String probeOrLoad;
    private final String updateMetadata;
    private final String updateAttributes;
    private final String updateAttributesAnyVersion;
    private final String currentAttributes;
    private final String delete;
    private final String expiredInContext;
    private final String expiredOwnedBy;
    private final String absentOrExpired;
    private final String deleteExpiredBatch;
    private final String ofPrincipal;

    private final SessionLifetime lifetime;
    private final SessionIds ids;

    public SessionStatements(SessionTable table) {
        this(table, SessionLifetime.UNLIMITED, SessionIds.PLAIN);
    }

    /**
     * @param lifetime the absolute lifetime every write caps a session's expiry at
     * @param ids how ids are kept in the key column: every statement taking an id binds {@code ids.keyOf(id)}, and
     *     every statement answering ids reads them back through {@code ids}
     */
    public SessionStatements(SessionTable table, SessionLifetime lifetime, SessionIds ids) {
        this.lifetime = lifetime;
        this.ids = ids;
        String name = table.name();
        SqlDialect dialect = table.dialect();
        load = "SELECT last_node, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms,"
                + " max_inactive_ms, expires_at, attributes, " + VERSION_COLUMN + ", " + SEALED_ID_COLUMN + " FROM "
                + name
                + KEY;
        probe = "SELECT " + VERSION_COLUMN + ", accessed_ms, last_accessed_ms, max_inactive_ms, expires_at,"
                + " cookie_set_ms, last_saved_ms FROM " + name + KEY;
        // The attributes leave the database only when their version is not the one the cache holds: one read both
        // checks a cached copy and, when another node changed it, reloads it.
        probeOrLoad = "SELECT last_node, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms,"
                + " max_inactive_ms, expires_at, CASE WHEN " + VERSION_COLUMN + " = ? THEN NULL ELSE attributes END, "
                + VERSION_COLUMN + " FROM " + name + KEY;
        existsUnexpired =
                "SELECT " + SEALED_ID_COLUMN + " FROM " + name + KEY + " AND (expires_at IS NULL OR expires_at > ?)";
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
        currentAttributes = "SELECT " + VERSION_COLUMN + ", attributes, created_ms FROM " + name + KEY
                + dialect.lockingTheRowsRead();
        // The second condition keeps a delete by a former key off protected rows: see SessionIds.formerKeysOf.
        delete = "DELETE FROM " + name + KEY + " AND (? OR " + SEALED_ID_COLUMN + " IS NULL)";
        // The expiry statements compare the bare column with a bound parameter; both engines take "expires_at <= ?"
        // as implying the partial index's "expires_at IS NOT NULL" and search the index for the range, so their cost
        // follows the number of expired rows. On SQLite, INDEXED BY pins that choice: without statistics the planner
        // would rather walk the primary key's context prefix, that is every session of the context, and should the
        // index ever become unusable, SQLite fails the statement instead of scanning.
        String expiredRows = expiredRows(table);
        expiredInContext =
                "SELECT session_id, " + SEALED_ID_COLUMN + expiredRows + " AND context_path = ? AND virtual_host = ?";
        expiredOwnedBy = "SELECT session_id, " + SEALED_ID_COLUMN + expiredRows
                + " AND context_path = ? AND virtual_host = ? AND last_node = ?";
        deleteExpiredBatch = dialect.deleteBatch(name, expiredRows);
        // Candidates arrive as one JSON array, so checking any number of them is one statement prepared once.
        // A candidate is returned unless a row for it exists in this context that has not expired.
        absentOrExpired = "SELECT candidate.value FROM " + dialect.jsonArrayElements("?", "candidate")
                + " WHERE NOT EXISTS (SELECT 1 FROM "
                + name + " WHERE session_id = candidate.value AND context_path = ? AND virtual_host = ?"
                + " AND (expires_at IS NULL OR expires_at > ?))";
        ofPrincipal = "SELECT session_id, " + SEALED_ID_COLUMN + ", last_node, created_ms, accessed_ms, expires_at,"
                + " length(attributes) FROM " + name + " WHERE " + PRINCIPAL_COLUMN + " = ? AND context_path = ?"
                + " AND virtual_host = ? AND (expires_at IS NULL OR expires_at > ?)"
                + " ORDER BY accessed_ms DESC, session_id";
    }

    /** " FROM table [INDEXED BY its expiry index] WHERE expires_at <= ?": the expired rows, through the index. */
    public static String expiredRows(SessionTable table) {
        return " FROM " + table.name() + table.dialect().pinnedTo(table.expiryIndex()) + " WHERE expires_at <= ?";
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
     * #mayUse}).
     *
     * @param rowKey what the row comes back marked with: its key when not the current one, else null
     */
    private StoredSession loadAt(CachedConnection c, SessionScope scope, String key, boolean plainOnly, String rowKey)
            throws SQLException {
        PreparedStatement s = c.prepare(load);
        Sql.bindKey(s, 1, scope, key);
        try (ResultSet row = s.executeQuery()) {
            if (!row.next() || !mayUse(plainOnly, row.getString(11))) {
                return null;
            }
            return storedSession(row, rowKey);
        }
    }

    /** The first ten columns of {@code load} and {@code probeOrLoad}, which list them alike. */
    private static StoredSession storedSession(ResultSet row, String rowKey) throws SQLException {
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
                rowKey);
    }

    /**
     * A row looked up by a plain id (a former plain key, or a hash-looking id a plain store was given) is the id's
     * only if its id is not sealed: a protected row is never reached by presenting its key column. A row under a
     * hash this store computed is the id's, since only the id hashes to it.
     */
    private static boolean mayUse(boolean plainOnly, String sealedId) {
        return !plainOnly || sealedId == null;
    }

    /** True when the context holds the session and it has not expired at {@code now} (a Julian day). */
    public boolean existsUnexpired(CachedConnection c, SessionScope scope, String id, double now) throws SQLException {
        PreparedStatement s = c.prepare(existsUnexpired);
        s.setDouble(4, now);
        String current = ids.keyOf(id);
        boolean plainOnly = !ids.trustsCurrentKeyOf(id);
        List<String> formers = ids.formerKeysOf(id);
        if (existsAt(s, scope, current, plainOnly)) {
            return true;
        }
        for (String former : formers) {
            if (existsAt(s, scope, former, !SessionIds.isProtectedKey(former))) {
                return true;
            }
        }
        // As in load: the row may have moved under the current key meanwhile.
        return !formers.isEmpty() && existsAt(s, scope, current, plainOnly);
    }

    private static boolean existsAt(PreparedStatement s, SessionScope scope, String key, boolean plainOnly)
            throws SQLException {
        Sql.bindKey(s, 1, scope, key);
        try (ResultSet row = s.executeQuery()) {
            return row.next() && mayUse(plainOnly, row.getString(1));
        }
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
     * What a cache needs to tell whether its copy of a session is still what the row holds, without the attributes:
     * their version and the metadata; null when the row is gone.
     */
    public RowStamp probe(CachedConnection c, SessionScope scope, SessionData data) throws SQLException {
        return atRowKey(data, key -> probeAt(c, scope, key), stamp -> stamp != null);
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
        try (ResultSet row = s.executeQuery()) {
            if (!row.next()) {
                return null;
            }
            StoredSession stored = storedSession(row, null);
            return new CheckedRow(stored.stamp(), stored.attributesVersion() == knownVersion ? null : stored);
        }
    }

    private RowStamp probeAt(CachedConnection c, SessionScope scope, String key) throws SQLException {
        PreparedStatement s = c.prepare(probe);
        Sql.bindKey(s, 1, scope, key);
        try (ResultSet row = s.executeQuery()) {
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
        return atRowKey(
                data,
                key -> {
                    Sql.bindKey(s, next + 2, scope, key);
                    return s.executeUpdate();
                },
                written -> written > 0);
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
        return atRowKey(
                data,
                key -> {
                    Sql.bindKey(s, next, scope, key);
                    return s.executeUpdate();
                },
                written -> written > 0);
    }

    /** As {@link #updateAttributes}, whatever the version: for session data whose loaded version is unknown. */
    public int updateAttributesAnyVersion(
            CachedConnection c, SessionScope scope, SessionData data, byte[] attributes, PrincipalWrite principal)
            throws SQLException {
        PreparedStatement s = c.prepare(updateAttributesAnyVersion);
        int next = bindAttributes(s, data, attributes, principal);
        s.setLong(next + 3, data.getCreated());
        return atRowKey(
                data,
                key -> {
                    Sql.bindKey(s, next, scope, key);
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
        return atRowKey(
                data,
                key -> {
                    Sql.bindKey(s, 1, scope, key);
                    try (ResultSet row = s.executeQuery()) {
                        return row.next()
                                ? new StoredAttributes(row.getLong(1), row.getBytes(2), row.getLong(3))
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
        PreparedStatement s = c.prepare(delete);
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

    /** Every value the key column may hold for this id, the current form first (see {@link SessionIds}). */
    public List<String> keysOf(String id) {
        List<String> keys = new ArrayList<>();
        keys.add(ids.keyOf(id));
        keys.addAll(ids.formerKeysOf(id));
        return keys;
    }

    /** A statement run with one value of the row's key column. */
    @FunctionalInterface
    private interface AtKey<T> {
        T run(String key) throws SQLException;
    }

    /**
     * Runs a statement on a loaded session's row: under the key it was loaded from, and when that finds nothing and
     * was a former key, under the current one (the {@code seal} command moves rows there while servers run), which
     * the session then remembers.
     */
    private <T> T atRowKey(SessionData data, AtKey<T> statement, Predicate<T> found) throws SQLException {
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

    /** Sessions of the context, last used by any node, whose expiry lies in (0, before]. */
    public Set<String> expiredInContext(CachedConnection c, SessionScope scope, double before) throws SQLException {
        PreparedStatement s = c.prepare(expiredInContext);
        s.setDouble(1, before);
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        return idsOf(s, scope);
    }

    /** Sessions of the context last used by {@code node} whose expiry lies in (0, before]. */
    public Set<String> expiredOwnedBy(CachedConnection c, SessionScope scope, String node, double before)
            throws SQLException {
        PreparedStatement s = c.prepare(expiredOwnedBy);
        s.setDouble(1, before);
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        s.setString(4, node);
        return idsOf(s, scope);
    }

    /** Of the candidates, those the context no longer holds or that have expired at {@code at}. */
    public Set<String> absentOrExpired(CachedConnection c, SessionScope scope, Collection<String> candidates, double at)
            throws SQLException {
        PreparedStatement s = c.prepare(absentOrExpired);
        // Every key a candidate's row may be under (the current, and with protected ids the former ones): a candidate
        // is absent or expired only when none of them holds a live row.
        Map<String, List<String>> keysById = new HashMap<>();
        List<String> allKeys = new ArrayList<>();
        for (String candidate : candidates) {
            List<String> keys = new ArrayList<>();
            keys.add(ids.keyOf(candidate));
            keys.addAll(ids.formerKeysOf(candidate));
            keysById.put(candidate, keys);
            allKeys.addAll(keys);
        }
        s.setString(1, JsonArray.of(allKeys));
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        s.setDouble(4, at);
        Set<String> absentKeys = Sql.ids(s);
        Set<String> answer = new HashSet<>();
        keysById.forEach((candidate, keys) -> {
            if (absentKeys.containsAll(keys)) {
                answer.add(candidate);
            }
        });
        return answer;
    }

    /**
     * Deletes at most {@code limit} sessions of any context whose expiry lies in (0, before]. Callers repeat it
     * until it returns fewer than {@code limit}, so no single transaction holds the write lock for long.
     */
    public int deleteExpiredBatch(CachedConnection c, double before, int limit) throws SQLException {
        PreparedStatement s = c.prepare(deleteExpiredBatch);
        s.setDouble(1, before);
        s.setInt(2, limit);
        return s.executeUpdate();
    }

    /**
     * The ids of the rows a query answers (key column, then sealed id). A row whose sealed id does not open (altered,
     * or sealed under a key this store does not hold) cannot be named to Jetty; it is left to the sweep of orphans,
     * which deletes by expiry alone.
     */
    private Set<String> idsOf(PreparedStatement s, SessionScope scope) throws SQLException {
        Set<String> found = new HashSet<>();
        try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                try {
                    found.add(ids.idOf(scope.contextPath(), scope.virtualHost(), rows.getString(1), rows.getString(2)));
                } catch (InvalidObjectException e) {
                    // Skipped: see above.
                }
            }
        }
        return found;
    }

    /** This context's unexpired sessions logged in as {@code principal}, most recently used first, ids opened. */
    public List<PrincipalSession> sessionsOfPrincipal(
            CachedConnection c, SessionScope scope, String principal, double now) throws SQLException {
        PreparedStatement s = c.prepare(ofPrincipal);
        s.setString(1, principal);
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        s.setDouble(4, now);
        List<PrincipalSession> sessions = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    String id = ids.idOf(scope.contextPath(), scope.virtualHost(), r.getString(1), r.getString(2));
                    sessions.add(new PrincipalSession(
                            id, r.getString(3), r.getLong(4), r.getLong(5), Sql.expiry(r, 6), r.getLong(7)));
                } catch (InvalidObjectException e) {
                    // A row whose id cannot be opened cannot be ended through Jetty either; the admin tools see it.
                }
            }
        }
        return sessions;
    }

    /** One of a user's sessions in a context, as {@link #sessionsOfPrincipal} reads it. */
    public record PrincipalSession(
            String id, String lastNode, long created, long accessed, long expiry, long attributeBytes) {}

    /** The exact SQL of the statements whose query plans the tests pin. */
    public String expiredInContextSql() {
        return expiredInContext;
    }

    public String expiredOwnedBySql() {
        return expiredOwnedBy;
    }

    public String deleteExpiredBatchSql() {
        return deleteExpiredBatch;
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
