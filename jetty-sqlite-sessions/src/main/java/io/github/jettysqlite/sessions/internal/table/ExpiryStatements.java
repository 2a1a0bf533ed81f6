package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.SEALED_ID_COLUMN;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
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

/**
 * The statements of scavenging: which sessions have expired, which of Jetty's candidates are gone, and the sweep that
 * deletes expired rows in batches. Each searches the partial expiry index, whose use the query-plan tests pin.
 */
public final class ExpiryStatements {
    /**
     * Rows deleted per write transaction, by the stores' expiry sweep and the tools' purges alike, so a mass delete
     * never holds the write lock for long.
     */
    public static final int DELETE_BATCH = 500;

    private final String expiredInContext;
    private final String expiredOwnedBy;
    private final String absentOrExpired;
    private final String deleteExpiredBatch;

    private final SessionIds ids;

    ExpiryStatements(SessionTable table, SessionIds ids) {
        this.ids = ids;
        String name = table.name();
        SqlDialect dialect = table.dialect();
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
    }

    /** " FROM table [INDEXED BY its expiry index] WHERE expires_at <= ?": the expired rows, through the index. */
    public static String expiredRows(SessionTable table) {
        return " FROM " + table.name() + table.dialect().pinnedTo(table.expiryIndex()) + " WHERE expires_at <= ?";
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
            List<String> keys = RowKeys.keysOf(ids, candidate);
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
}
