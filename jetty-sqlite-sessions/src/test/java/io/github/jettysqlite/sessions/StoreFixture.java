package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;

/**
 * Starts real stores on a real SQLite file, or in a schema of its own on a real PostgreSQL server, each for a
 * context of the given node, context path and virtual host, and reads the table directly with a separate
 * connection. Stops every store it started.
 */
final class StoreFixture implements AutoCloseable {
    static final String NODE = "node1";
    static final String OTHER_NODE = "node2";

    private final Path file;
    private final String url;
    private final List<SQLiteSessionDataStore> started = new ArrayList<>();

    StoreFixture(Path file) {
        this.file = file;
        this.url = null;
    }

    /** A fixture on the engine: the SQLite file {@code sessions.db} in {@code dir}, or a fresh PostgreSQL schema. */
    StoreFixture(Engine engine, Path dir) {
        this.file = engine == Engine.SQLITE ? dir.resolve("sessions.db") : null;
        this.url = engine == Engine.POSTGRESQL ? PostgresServer.get().freshSchemaUrl() : null;
    }

    Engine engine() {
        return url == null ? Engine.SQLITE : Engine.POSTGRESQL;
    }

    /** The PostgreSQL URL the stores use; null on SQLite. */
    String url() {
        return url;
    }

    Path file() {
        return file;
    }

    SQLiteSessionDataStore store() throws Exception {
        return store(NODE, "/app", SessionContext.NULL_VHOST, s -> {});
    }

    SQLiteSessionDataStore store(String node, String contextPath, String vhost) throws Exception {
        return store(node, contextPath, vhost, s -> {});
    }

    SQLiteSessionDataStore store(String node, String contextPath, String vhost, Consumer<SQLiteSessionDataStore> setup)
            throws Exception {
        SQLiteSessionDataStore store = new SQLiteSessionDataStore();
        if (url != null) {
            store.setUrl(url);
        } else {
            store.setDatabaseFile(file);
        }
        setup.accept(store);
        store.initialize(new FixedSessionContext(node, contextPath, vhost));
        store.start();
        started.add(store);
        return store;
    }

    /** A session of the store's context, last used by {@code node}, with one attribute. */
    static SessionData session(SQLiteSessionDataStore store, String id, long expiry, String node) {
        long now = System.currentTimeMillis();
        SessionData data = store.newSessionData(id, now - 10_000, now - 1_000, now - 2_000, 60_000);
        data.setExpiry(expiry);
        data.setLastNode(node);
        data.setAttribute("user", "alice");
        return data;
    }

    /** Writes the session whole, as a first store does. */
    static void put(SQLiteSessionDataStore store, SessionData data) throws Exception {
        data.setLastSaved(System.currentTimeMillis());
        store.doStore(data.getId(), data, 0);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url != null ? url : "jdbc:sqlite:" + file);
    }

    List<List<Object>> query(String sql, Object... params) throws SQLException {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                int columns = r.getMetaData().getColumnCount();
                while (r.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) {
                        row.add(normalized(r.getObject(i)));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /**
     * Values as SQLite's driver reports them, whichever engine ran the query: integers that fit an int as Integer,
     * larger ones as Long, floating point as Double. PostgreSQL reports count(*) as a Long, for one.
     */
    private static Object normalized(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            long n = ((Number) value).longValue();
            return n == (int) n ? (Object) (int) n : (Object) n;
        }
        if (value instanceof Float) {
            return ((Number) value).doubleValue();
        }
        return value;
    }

    int update(String sql, Object... params) throws SQLException {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            return s.executeUpdate();
        }
    }

    @Override
    public void close() throws Exception {
        for (SQLiteSessionDataStore store : started) {
            if (store.isStarted()) {
                store.stop();
            }
        }
    }

    /** A session context without a web context: Jetty runs store calls directly in the calling thread. */
    static final class FixedSessionContext extends SessionContext {
        FixedSessionContext(String node, String contextPath, String vhost) {
            _workerName = node;
            _canonicalContextPath = contextPath;
            _vhost = vhost;
        }
    }
}
