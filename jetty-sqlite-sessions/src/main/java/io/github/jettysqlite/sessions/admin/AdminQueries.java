package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.table.ExpiryStatements;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * The statements the tools run on a session table: statistics, listing, lookup by id, bulk deletes and the pages a
 * migration reads. Not on the request path, but each walks an index where it can: the per-context count walks only
 * the primary key's context prefix, the expired count only the expiry index.
 */
final class AdminQueries {
    private final String countAll;
    private final String countInScope;
    private final String countExpired;
    private final String statsByScope;
    private final String list;
    private final String findById;
    private final String deleteAllBatch;
    private final String countLive;
    private final String liveRowsAfter;
    private final String ofPrincipal;
    private final String deleteOfPrincipal;
    private final String deleteById;
    private final String countOfPrincipal;
    private final String principals;
    private final String findInScope;

    /**
     * @param hasPrincipal whether the table has the principal and sealed-id columns (layout 4 on): tools may look at an
     *     older table without upgrading it, and read neither from it then
     */
    AdminQueries(SessionTable table, boolean hasPrincipal) {
        String name = table.name();
        String principal = hasPrincipal ? SessionTable.PRINCIPAL_COLUMN : "CAST(NULL AS TEXT)";
        countAll = "SELECT count(*) FROM " + name;
        countInScope = "SELECT count(*) FROM " + name + " WHERE context_path = ? AND virtual_host = ?";
        countExpired = "SELECT count(*)" + ExpiryStatements.expiredRows(table);
        statsByScope = "SELECT context_path, virtual_host, count(*),"
                + " coalesce(sum(CASE WHEN expires_at <= ? THEN 1 ELSE 0 END), 0),"
                + " coalesce(sum(CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END), 0),"
                + " min(created_ms), max(created_ms) FROM " + name + " GROUP BY context_path, virtual_host"
                + " ORDER BY context_path, virtual_host";
        String summaryColumns = "session_id, context_path, virtual_host, last_node, created_ms, accessed_ms,"
                + " expires_at, length(attributes), " + principal;
        // Parameters: the context path twice (NULL for all), the wanted expiry state (1 expired only, 0 unexpired
        // only, NULL both), now, the state again, limit, offset. Plain "?" markers, which both drivers accept.
        list = "SELECT " + summaryColumns + " FROM " + name + " WHERE (CAST(? AS TEXT) IS NULL OR context_path = ?)"
                + " AND (CAST(? AS INTEGER) IS NULL OR"
                + " (CASE WHEN expires_at <= ? THEN 1 ELSE 0 END) = ?)"
                + " ORDER BY context_path, virtual_host, session_id LIMIT ? OFFSET ?";
        findById = "SELECT " + summaryColumns + ", last_accessed_ms, cookie_set_ms, last_saved_ms, max_inactive_ms,"
                + " attributes, " + (hasPrincipal ? SessionTable.SEALED_ID_COLUMN : "CAST(NULL AS TEXT)") + " FROM "
                + name + " WHERE session_id = ? ORDER BY context_path, virtual_host";
        deleteAllBatch = table.dialect().deleteBatch(name, " FROM " + name);
        // A migration reads live rows in key order, a page at a time after the last key seen (keyset paging, so each
        // page starts where the last ended without counting the rows before it).
        String live = "(expires_at IS NULL OR expires_at > ?)";
        countLive = "SELECT count(*) FROM " + name + " WHERE " + live;
        String sealedId = hasPrincipal ? SessionTable.SEALED_ID_COLUMN : "CAST(NULL AS TEXT)";
        liveRowsAfter = "SELECT " + String.join(", ", SessionTable.COLUMNS) + ", " + principal + ", " + sealedId
                + " FROM " + name
                + " WHERE (context_path, virtual_host, session_id) > (?, ?, ?) AND " + live
                + " ORDER BY context_path, virtual_host, session_id LIMIT ?";
        // A user's sessions come from the partial index on the principal, which holds only logged-in sessions.
        ofPrincipal = "SELECT " + summaryColumns + " FROM " + name + " WHERE " + principal + " = ? AND " + live
                + " ORDER BY accessed_ms DESC, context_path, virtual_host, session_id";
        // Parameters: the principal, then the key of one session to keep (any values that name no row keep none).
        deleteOfPrincipal = "DELETE FROM " + name + " WHERE " + principal + " = ?"
                + " AND NOT (session_id = ? AND context_path = ? AND virtual_host = ?)";
        deleteById = "DELETE FROM " + name + " WHERE session_id = ?";
        countOfPrincipal = "SELECT count(*) FROM " + name + " WHERE " + principal + " = ?";
        // The users of unexpired sessions, from the principal's partial index (the bare IS NOT NULL is its
        // condition). Parameters: the context path twice (NULL for every context), the virtual host, now.
        principals = "SELECT DISTINCT " + principal + " FROM " + name + " WHERE " + principal + " IS NOT NULL"
                + " AND (CAST(? AS TEXT) IS NULL OR (context_path = ? AND virtual_host = ?)) AND " + live
                + " ORDER BY 1";
        // One context's session by its whole primary key: a point lookup, cheap enough to run on every request.
        findInScope = "SELECT " + summaryColumns + " FROM " + name
                + " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";
    }

    long count(CachedConnection c) throws SQLException {
        return Sql.queryLong(c.prepare(countAll));
    }

    long countInScope(CachedConnection c, String contextPath, String virtualHost) throws SQLException {
        PreparedStatement s = c.prepare(countInScope);
        s.setString(1, contextPath);
        s.setString(2, virtualHost);
        return Sql.queryLong(s);
    }

    /** Sessions of every context whose expiry lies in (0, at]. */
    long countExpired(CachedConnection c, double at) throws SQLException {
        PreparedStatement s = c.prepare(countExpired);
        s.setDouble(1, at);
        return Sql.queryLong(s);
    }

    List<ContextStats> statsByScope(CachedConnection c, double now) throws SQLException {
        PreparedStatement s = c.prepare(statsByScope);
        s.setDouble(1, now);
        return Sql.rows(
                s,
                r -> new ContextStats(
                        r.getString(1),
                        r.getString(2),
                        r.getLong(3),
                        r.getLong(4),
                        r.getLong(5),
                        r.getLong(6),
                        r.getLong(7)));
    }

    /**
     * A page of sessions in key order.
     *
     * @param contextPath a canonical context path, or null for every context
     * @param expired true for expired sessions only, false for unexpired only, null for both
     */
    List<SessionSummary> list(
            CachedConnection c, String contextPath, Boolean expired, double now, int offset, int limit)
            throws SQLException {
        PreparedStatement s = c.prepare(list);
        s.setString(1, contextPath);
        s.setString(2, contextPath);
        for (int index : new int[] {3, 5}) {
            if (expired == null) {
                s.setNull(index, Types.INTEGER);
            } else {
                s.setInt(index, expired ? 1 : 0);
            }
        }
        s.setDouble(4, now);
        s.setInt(6, limit);
        s.setInt(7, offset);
        return Sql.rows(s, AdminQueries::summary);
    }

    /** Every context's session with this id, with its stored attribute bytes. */
    List<SessionDetail> findById(CachedConnection c, String id) throws SQLException {
        PreparedStatement s = c.prepare(findById);
        s.setString(1, id);
        return Sql.rows(
                s,
                r -> new SessionDetail(
                        summary(r),
                        r.getLong(10),
                        r.getLong(11),
                        r.getLong(12),
                        r.getLong(13),
                        r.getBytes(14),
                        r.getString(15)));
    }

    /** Deletes at most {@code limit} sessions of any context, expired or not. */
    int deleteAllBatch(CachedConnection c, int limit) throws SQLException {
        PreparedStatement s = c.prepare(deleteAllBatch);
        s.setInt(1, limit);
        return s.executeUpdate();
    }

    /** Sessions of every context that have not expired at {@code now}: what a migration copies. */
    long countLive(CachedConnection c, double now) throws SQLException {
        PreparedStatement s = c.prepare(countLive);
        s.setDouble(1, now);
        return Sql.queryLong(s);
    }

    /**
     * Up to {@code limit} unexpired rows whose key follows the given row's, in key order; null starts at the
     * beginning.
     */
    List<SessionRow> liveRowsAfter(CachedConnection c, SessionRow after, double now, int limit) throws SQLException {
        PreparedStatement s = c.prepare(liveRowsAfter);
        s.setString(1, after == null ? "" : after.contextPath());
        s.setString(2, after == null ? "" : after.virtualHost());
        s.setString(3, after == null ? "" : after.id());
        s.setDouble(4, now);
        s.setInt(5, limit);
        return Sql.rows(s, AdminQueries::row);
    }

    private static SessionRow row(ResultSet r) throws SQLException {
        double expiresAt = r.getDouble(11);
        Double expiry = r.wasNull() ? null : expiresAt;
        return new SessionRow(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getLong(5),
                r.getLong(6),
                r.getLong(7),
                r.getLong(8),
                r.getLong(9),
                r.getLong(10),
                expiry,
                r.getBytes(12),
                r.getString(13),
                r.getString(14));
    }

    private static SessionSummary summary(ResultSet r) throws SQLException {
        return new SessionSummary(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getLong(5),
                r.getLong(6),
                Sql.expiry(r, 7),
                r.getLong(8),
                r.getString(9));
    }

    /** The unexpired sessions of every context logged in as {@code principal}, most recently used first. */
    List<SessionSummary> ofPrincipal(CachedConnection c, String principal, double now) throws SQLException {
        PreparedStatement s = c.prepare(ofPrincipal);
        s.setString(1, principal);
        s.setDouble(2, now);
        return Sql.rows(s, AdminQueries::summary);
    }

    /**
     * Deletes every session of every context logged in as {@code principal}, except the one {@code keep} names (none
     * when null); returns how many.
     */
    int deleteOfPrincipal(CachedConnection c, String principal, SessionSummary keep) throws SQLException {
        PreparedStatement s = c.prepare(deleteOfPrincipal);
        s.setString(1, principal);
        if (keep == null) {
            Sql.bindKey(s, 2, "", "", "");
        } else {
            Sql.bindKey(s, 2, keep.contextPath(), keep.virtualHost(), keep.id());
        }
        return s.executeUpdate();
    }

    /** Rows of every context logged in as {@code principal}, expired or not: what a delete of theirs removes. */
    long countOfPrincipal(CachedConnection c, String principal) throws SQLException {
        PreparedStatement s = c.prepare(countOfPrincipal);
        s.setString(1, principal);
        return Sql.queryLong(s);
    }

    /** Deletes the session with this id in every context; returns how many rows. */
    int deleteById(CachedConnection c, String id) throws SQLException {
        PreparedStatement s = c.prepare(deleteById);
        s.setString(1, id);
        return s.executeUpdate();
    }

    /**
     * The distinct users of the unexpired sessions of one context, or of every context when {@code contextPath} is
     * null, in name order.
     */
    List<String> principals(CachedConnection c, String contextPath, String virtualHost, double now)
            throws SQLException {
        PreparedStatement s = c.prepare(principals);
        s.setString(1, contextPath);
        s.setString(2, contextPath);
        s.setString(3, virtualHost);
        s.setDouble(4, now);
        return Sql.rows(s, r -> r.getString(1));
    }

    /** The session with this id in one context, or null. */
    SessionSummary findInScope(CachedConnection c, String contextPath, String virtualHost, String id)
            throws SQLException {
        PreparedStatement s = c.prepare(findInScope);
        Sql.bindKey(s, 1, contextPath, virtualHost, id);
        List<SessionSummary> found = Sql.rows(s, AdminQueries::summary);
        return found.isEmpty() ? null : found.get(0);
    }
}
