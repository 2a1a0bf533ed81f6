package io.github.jettysqlite.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.session.SessionData;

/**
 * The raw SQLite ceiling: one long-lived sqlite-jdbc connection, statements prepared once, on a table laid out like
 * the store's (same columns, primary key and partial expiry index). Threads take turns on the connection, each call
 * its own transaction (or one transaction of 100 rows for {@link Operation#BATCH100}). Writes bind attribute bytes
 * serialized once per size, so no serialization is counted; {@link #load} deserializes as Jetty does, which is the
 * reference the store's load is held to, and {@link #selectOnly} does not.
 */
final class RawSubject implements Subject {
    static final String DDL = "CREATE TABLE IF NOT EXISTS raw_sessions (session_id TEXT NOT NULL,"
            + " context_path TEXT NOT NULL, virtual_host TEXT NOT NULL, last_node TEXT, created_ms INTEGER NOT NULL,"
            + " accessed_ms INTEGER NOT NULL, last_accessed_ms INTEGER NOT NULL, cookie_set_ms INTEGER NOT NULL,"
            + " last_saved_ms INTEGER NOT NULL, max_inactive_ms INTEGER NOT NULL, expires_at REAL,"
            + " attributes BLOB NOT NULL, PRIMARY KEY (session_id, context_path, virtual_host))";
    static final String INDEX = "CREATE INDEX IF NOT EXISTS raw_sessions_expiry ON raw_sessions"
            + " (expires_at, context_path, virtual_host) WHERE expires_at IS NOT NULL";
    private static final String KEY = " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";

    private final String name;
    private final Path file;
    private final Connection connection;
    private final PreparedStatement upsert;
    private final PreparedStatement touch;
    private final PreparedStatement load;
    private final PreparedStatement exists;
    private final PreparedStatement delete;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final Map<Integer, byte[]> serialized = new ConcurrentHashMap<>();
    private final AtomicLong batchIds = new AtomicLong();

    RawSubject(String name, Path file, String synchronous) throws SQLException {
        this.file = file;
        this.name = name;
        connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = " + synchronous);
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute(DDL);
            s.execute(INDEX);
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

    @Override
    public Path databaseFile() {
        return file;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Operation> operations() {
        return EnumSet.complementOf(EnumSet.of(Operation.UPDATE_CONFLICT));
    }

    @Override
    public BenchSession create(String id, int size) {
        long now = System.currentTimeMillis();
        SessionData data =
                new SessionData(id, Sessions.CONTEXT_PATH, Sessions.VHOST, now, now, now, BenchSession.MAX_INACTIVE_MS);
        return BenchSession.of(data, size);
    }

    private byte[] attributes(BenchSession s) {
        return serialized.computeIfAbsent(s.size, size -> {
            try {
                return Sessions.serialize(s.data);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public int storeNew(BenchSession s) throws SQLException {
        byte[] attributes = attributes(s);
        s.data.setLastSaved(System.currentTimeMillis());
        synchronized (connection) {
            bindUpsert(s.id, s.data, attributes);
            upsert.executeUpdate();
        }
        return 1;
    }

    @Override
    public int update(BenchSession s) throws SQLException {
        s.change();
        return storeNew(s);
    }

    @Override
    public int touch(BenchSession s) throws SQLException {
        s.access();
        SessionData d = s.data;
        d.setLastSaved(System.currentTimeMillis());
        synchronized (connection) {
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
    }

    @Override
    public int load(BenchSession s) throws Exception {
        byte[] attributes;
        long created;
        synchronized (connection) {
            bindKey(load, 1, s.id);
            try (ResultSet row = load.executeQuery()) {
                if (!row.next()) {
                    return 0;
                }
                created = row.getLong(2);
                attributes = row.getBytes(9);
            }
        }
        SessionData data = new SessionData(
                s.id, Sessions.CONTEXT_PATH, Sessions.VHOST, created, created, created, BenchSession.MAX_INACTIVE_MS);
        Sessions.deserialize(data, attributes);
        // The raw writer binds the bytes serialized once per size, so the version it stored is always 0.
        return data.getAttribute(BenchSession.PAYLOAD) instanceof byte[] p && p.length == s.size ? 1 : 0;
    }

    @Override
    public int selectOnly(BenchSession s) throws SQLException {
        synchronized (connection) {
            bindKey(load, 1, s.id);
            try (ResultSet row = load.executeQuery()) {
                return row.next() && row.getBytes(9).length > s.size ? 1 : 0;
            }
        }
    }

    @Override
    public int exists(BenchSession s) throws SQLException {
        synchronized (connection) {
            bindKey(exists, 1, s.id);
            exists.setDouble(4, Sessions.julianDay(System.currentTimeMillis()));
            try (ResultSet row = exists.executeQuery()) {
                return row.next() ? 1 : 0;
            }
        }
    }

    @Override
    public int delete(String id) throws SQLException {
        synchronized (connection) {
            bindKey(delete, 1, id);
            return delete.executeUpdate();
        }
    }

    @Override
    public int storeBatch100(int size) throws SQLException {
        BenchSession template = create("template", size);
        byte[] attributes = attributes(template);
        synchronized (connection) {
            begin.execute();
            try {
                for (int i = 0; i < 100; i++) {
                    bindUpsert("batch-" + batchIds.incrementAndGet(), template.data, attributes);
                    upsert.executeUpdate();
                }
                commit.execute();
            } catch (SQLException | RuntimeException e) {
                try (Statement s = connection.createStatement()) {
                    s.execute("ROLLBACK");
                }
                throw e;
            }
        }
        return 100;
    }

    private void bindUpsert(String id, SessionData d, byte[] attributes) throws SQLException {
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
