package io.github.jettysqlite.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.eclipse.jetty.session.SessionData;

/**
 * One long-lived sqlite-jdbc connection to the raw ceiling's table (laid out like the store's: same columns, primary
 * key and partial expiry index) with every statement prepared once. Not thread-safe: one caller at a time.
 */
final class RawTable implements AutoCloseable {
    static final String DDL = "CREATE TABLE IF NOT EXISTS raw_sessions (session_id TEXT NOT NULL,"
            + " context_path TEXT NOT NULL, virtual_host TEXT NOT NULL, last_node TEXT, created_ms INTEGER NOT NULL,"
            + " accessed_ms INTEGER NOT NULL, last_accessed_ms INTEGER NOT NULL, cookie_set_ms INTEGER NOT NULL,"
            + " last_saved_ms INTEGER NOT NULL, max_inactive_ms INTEGER NOT NULL, expires_at REAL,"
            + " attributes BLOB NOT NULL, PRIMARY KEY (session_id, context_path, virtual_host))";
    static final String INDEX = "CREATE INDEX IF NOT EXISTS raw_sessions_expiry ON raw_sessions"
            + " (expires_at, context_path, virtual_host) WHERE expires_at IS NOT NULL";
    private static final String KEY = " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";

    /** A loaded row: what {@code load} needs to rebuild the session. */
    record Row(long created, byte[] attributes) {}

    private final Connection connection;
    private final PreparedStatement upsert;
    private final PreparedStatement touch;
    private final PreparedStatement load;
    private final PreparedStatement exists;
    private final PreparedStatement delete;
    private final PreparedStatement begin;
    private final PreparedStatement commit;

    /** Opens a connection with WAL, the synchronous mode and a busy timeout; creates the table when asked. */
    RawTable(Path file, String synchronous, boolean createSchema) throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = " + synchronous);
            if (createSchema) {
                s.execute(DDL);
                s.execute(INDEX);
            }
        }
        upsert = connection.prepareStatement("INSERT INTO raw_sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (session_id, context_path, virtual_host) DO UPDATE SET"
                + " last_node = excluded.last_node, created_ms = excluded.created_ms,"
                + " accessed_ms = excluded.accessed_ms, last_accessed_ms = excluded.last_accessed_ms,"
                + " cookie_set_ms = excluded.cookie_set_ms, last_saved_ms = excluded.last_saved_ms,"
                + " max_inactive_ms = excluded.max_inactive_ms, expires_at = excluded.expires_at,"
                + " attributes = excluded.attributes");
        touch = connection.prepareStatement("UPDATE raw_sessions SET last_node = ?, accessed_ms = ?,"
                + " last_accessed_ms = ?, cookie_set_ms = ?, last_saved_ms = ?, max_inactive_ms = ?, expires_at = ?"
                + KEY);
        load = connection.prepareStatement("SELECT last_node, created_ms, accessed_ms, last_accessed_ms,"
                + " cookie_set_ms, last_saved_ms, max_inactive_ms, expires_at, attributes FROM raw_sessions" + KEY);
        exists = connection.prepareStatement(
                "SELECT 1 FROM raw_sessions" + KEY + " AND (expires_at IS NULL OR expires_at > ?)");
        delete = connection.prepareStatement("DELETE FROM raw_sessions" + KEY);
        begin = connection.prepareStatement("BEGIN IMMEDIATE");
        commit = connection.prepareStatement("COMMIT");
    }

    /** Inserts or replaces a row, in autocommit: one transaction. */
    void upsert(String id, SessionData d, byte[] attributes) throws SQLException {
        bindKey(upsert, 1, id);
        upsert.setString(4, d.getLastNode());
        upsert.setLong(5, d.getCreated());
        upsert.setLong(6, d.getAccessed());
        upsert.setLong(7, d.getLastAccessed());
        upsert.setLong(8, d.getCookieSet());
        upsert.setLong(9, d.getLastSaved());
        upsert.setLong(10, d.getMaxInactiveMs());
        upsert.setDouble(11, Sessions.julianDay(d.getExpiry()));
        upsert.setBytes(12, attributes);
        upsert.executeUpdate();
    }

    /** Rewrites the metadata columns only; returns the rows changed. */
    int touch(SessionData d) throws SQLException {
        touch.setString(1, d.getLastNode());
        touch.setLong(2, d.getAccessed());
        touch.setLong(3, d.getLastAccessed());
        touch.setLong(4, d.getCookieSet());
        touch.setLong(5, d.getLastSaved());
        touch.setLong(6, d.getMaxInactiveMs());
        touch.setDouble(7, Sessions.julianDay(d.getExpiry()));
        bindKey(touch, 8, d.getId());
        return touch.executeUpdate();
    }

    /** The row of a session, or null. */
    Row load(String id) throws SQLException {
        bindKey(load, 1, id);
        try (ResultSet row = load.executeQuery()) {
            return row.next() ? new Row(row.getLong(2), row.getBytes(9)) : null;
        }
    }

    boolean exists(String id, long nowMs) throws SQLException {
        bindKey(exists, 1, id);
        exists.setDouble(4, Sessions.julianDay(nowMs));
        try (ResultSet row = exists.executeQuery()) {
            return row.next();
        }
    }

    int delete(String id) throws SQLException {
        bindKey(delete, 1, id);
        return delete.executeUpdate();
    }

    /** Upserts every id with the same data and attribute bytes in one transaction. */
    void upsertAll(Iterable<String> ids, SessionData d, byte[] attributes) throws SQLException {
        begin.execute();
        try {
            for (String id : ids) {
                upsert(id, d, attributes);
            }
            commit.execute();
        } catch (SQLException | RuntimeException e) {
            try (Statement s = connection.createStatement()) {
                s.execute("ROLLBACK");
            }
            throw e;
        }
    }

    private static void bindKey(PreparedStatement s, int first, String id) throws SQLException {
        s.setString(first, id);
        s.setString(first + 1, Sessions.CONTEXT_PATH);
        s.setString(first + 2, Sessions.VHOST);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
