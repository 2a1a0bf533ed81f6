package io.github.jettysqlite.sessions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;

/**
 * Starts real stores of one engine on a real database (an SQLite file, or a schema of its own on a real PostgreSQL
 * server), each for a context of the given node, context path and virtual host, and reads the table directly with a
 * separate connection. Stops every store it started. The contract suites run on each engine's fixture.
 */
public abstract class StoreFixture implements AutoCloseable {
    public static final String NODE = "node1";
    public static final String OTHER_NODE = "node2";

    private final List<SessionTableDataStore> started = new ArrayList<>();

    /** A store of this engine, its settings changed by {@code setup}. */
    public abstract SessionTableDataStore newStore(Consumer<SessionTableSettings> setup);

    /** A connection of its own to the database the stores use. */
    public abstract Connection connect() throws SQLException;

    /** What a {@link NodeServer} child is given to reach the same database: a file, or a JDBC URL. */
    public abstract String database();

    /** True for SQLite, false for PostgreSQL: for the few statements a test spells per engine. */
    public abstract boolean isSQLite();

    public SessionTableDataStore store() throws Exception {
        return store(NODE, "/app", SessionContext.NULL_VHOST, s -> {});
    }

    public SessionTableDataStore store(String node, String contextPath, String vhost) throws Exception {
        return store(node, contextPath, vhost, s -> {});
    }

    public SessionTableDataStore store(
            String node, String contextPath, String vhost, Consumer<SessionTableSettings> setup) throws Exception {
        SessionTableDataStore store = newStore(setup);
        return start(store, node, contextPath, vhost);
    }

    /** Starts a store built elsewhere for a context, and stops it when the fixture closes. */
    public <S extends SessionTableDataStore> S start(S store, String node, String contextPath, String vhost)
            throws Exception {
        store.initialize(new FixedSessionContext(node, contextPath, vhost));
        store.start();
        started.add(store);
        return store;
    }

    /**
     * When every session these fixtures make was created: one time for all, so that writing a session of the same id
     * again is the same session written again (a store refuses to write a new session over another live one, which
     * it tells by the creation time).
     */
    public static final long CREATED = System.currentTimeMillis() - 10_000;

    /** A session of the store's context, last used by {@code node}, with one attribute. */
    public static SessionData session(SessionTableDataStore store, String id, long expiry, String node) {
        long now = System.currentTimeMillis();
        SessionData data = store.newSessionData(id, CREATED, now - 1_000, now - 2_000, 60_000);
        data.setExpiry(expiry);
        data.setLastNode(node);
        data.setAttribute("user", "alice");
        return data;
    }

    /** Writes the session whole, as a first store does. */
    public static void put(SessionTableDataStore store, SessionData data) throws Exception {
        data.setLastSaved(System.currentTimeMillis());
        store.doStore(data.getId(), data, 0);
    }

    public List<List<Object>> query(String sql, Object... params) throws SQLException {
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

    /** The single number a query answers. */
    public long count(String sql, Object... params) throws SQLException {
        return ((Number) query(sql, params).get(0).get(0)).longValue();
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

    /** Today's table in an older layout: the later columns (and their index) dropped, the version set back. */
    public void downgradeTo(int version) throws SQLException {
        update("DROP INDEX jetty_sessions_users");
        update("ALTER TABLE jetty_sessions DROP COLUMN principal");
        update("ALTER TABLE jetty_sessions DROP COLUMN sealed_id");
        if (version < 3) {
            update("ALTER TABLE jetty_sessions DROP COLUMN attributes_version");
        }
        recordVersion(version);
    }

    /** Sets the layout version recorded for the default table, whatever the table holds. */
    public void recordVersion(int version) throws SQLException {
        if (isSQLite()) {
            update("PRAGMA user_version = " + version);
        } else {
            update("UPDATE jetty_session_schema SET version = ? WHERE table_name = 'jetty_sessions'", version);
        }
    }

    /** The layout version recorded for the default table. */
    public int versionRecorded() throws SQLException {
        String sql = isSQLite()
                ? "PRAGMA user_version"
                : "SELECT version FROM jetty_session_schema WHERE table_name = 'jetty_sessions'";
        return (int) count(sql);
    }

    /** How many tables the database (on PostgreSQL, the fixture's schema) holds. */
    public long tables() throws SQLException {
        return count(
                isSQLite()
                        ? "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                        : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()");
    }

    /** Runs a script's statements, each ending a line with a semicolon, skipping its comment lines. */
    public void run(String script) throws SQLException {
        String code = script.lines().filter(line -> !line.startsWith("--")).collect(Collectors.joining("\n"));
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            for (String statement : code.split(";\n")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
    }

    public int update(String sql, Object... params) throws SQLException {
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
        for (SessionTableDataStore store : started) {
            if (store.isStarted()) {
                store.stop();
            }
        }
    }

    /** A session context without a web context: Jetty runs store calls directly in the calling thread. */
    public static final class FixedSessionContext extends SessionContext {
        public FixedSessionContext(String node, String contextPath, String vhost) {
            _workerName = node;
            _canonicalContextPath = contextPath;
            _vhost = vhost;
        }
    }
}
