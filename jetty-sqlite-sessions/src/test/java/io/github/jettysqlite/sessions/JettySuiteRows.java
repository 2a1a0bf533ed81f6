package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.AttributeCodec;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSerializer;
import io.github.jettysqlite.sessions.internal.attributes.DeserializationFilter;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.engine.DatabaseEngine;
import io.github.jettysqlite.sessions.internal.table.SessionLifetime;
import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import org.eclipse.jetty.session.SessionData;

/**
 * The hooks Jetty's own store suite ({@code AbstractSessionDataStoreTest}) asks of a store's test: rows written and
 * read behind the store's back, with plain JDBC, in this library's table layout: plain, or as a store with a key
 * writes them (attributes sealed, ids protected). Shared by both engines' subclasses.
 */
public final class JettySuiteRows {
    private static final String KEY = " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";

    /** Rows as a store without a key writes them. */
    public static final JettySuiteRows PLAIN = new JettySuiteRows(AttributeSeal.NONE);

    private final AttributeSeal keys;
    private final SessionIds ids;

    private JettySuiteRows(AttributeSeal keys) {
        this.keys = keys;
        this.ids = SessionIds.of(keys, true);
    }

    /** Rows as a store with this {@code attributeKey} writes them: attributes sealed, ids protected. */
    public static JettySuiteRows keyedWith(String attributeKey) {
        return new JettySuiteRows(AttributeSeal.of(attributeKey, null));
    }

    /** A key file in the directory (written once), as an {@code attributeKey} reference. */
    public static String keyFileIn(Path dir) {
        Path key = dir.resolve("attribute.key");
        try {
            if (!Files.exists(key)) {
                Files.writeString(key, "contract-suite-key-0123456789abcdef\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "file:" + key;
    }

    /** Writes the session as a store would, its attributes serialized through the webapp's loader. */
    public void persist(Connection c, SessionData data, ClassLoader webapp) throws Exception {
        insert(c, data, serialize(data, webapp));
    }

    /** Writes the session with attributes no store can read. */
    public void persistUnreadable(Connection c, SessionData data) throws SQLException {
        insert(c, data, new byte[] {'J', 'S', 'A', 1, 0, 0, 0, 9, 'b', 'r', 'o', 'k', 'e', 'n'});
    }

    public boolean exists(Connection c, SessionData data) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM jetty_sessions" + KEY)) {
            bindKey(s, data);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** True when the row holds every field of the session and attributes of the same names and classes. */
    public boolean persisted(Connection c, SessionData data, ClassLoader webapp) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT last_node, created_ms, accessed_ms, last_accessed_ms,"
                + " cookie_set_ms, max_inactive_ms, expires_at, attributes FROM jetty_sessions" + KEY)) {
            bindKey(s, data);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return false;
                }
                double expiresAt = r.getDouble(7);
                long expiry = r.wasNull() ? 0 : JulianDay.toEpochMillis(expiresAt);
                boolean fields = Objects.equals(r.getString(1), data.getLastNode())
                        && r.getLong(2) == data.getCreated()
                        && r.getLong(3) == data.getAccessed()
                        && r.getLong(4) == data.getLastAccessed()
                        && r.getLong(5) == data.getCookieSet()
                        && r.getLong(6) == data.getMaxInactiveMs()
                        && expiry == data.getExpiry();
                return fields && sameAttributes(read(data, r.getBytes(8), webapp), data.getAllAttributes());
            }
        }
    }

    private static boolean sameAttributes(Map<String, Object> stored, Map<String, Object> expected) {
        if (!stored.keySet().equals(expected.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            Object value = stored.get(e.getKey());
            // Webapp classes and proxies need not define equals; their class names must match.
            if (!value.getClass().getName().equals(e.getValue().getClass().getName())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the row with the stores' own INSERT, bound the stores' way, on the suite's connection rather than
     * through a store: what the suite checks is how a store reads rows it did not write, and a second copy of the
     * binding here would only have to follow every change to the layout.
     */
    private void insert(Connection c, SessionData data, byte[] attributes) throws SQLException {
        SqlDialect dialect = c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL")
                ? postgreSQLDialect()
                : SqlDialect.SQLITE;
        SessionStatements statements = new SessionStatements(
                new SessionTable(SessionTable.DEFAULT_NAME, dialect), SessionLifetime.UNLIMITED, ids);
        CachedConnection cached = new CachedConnection(c);
        try {
            int written = statements
                    .writes()
                    .insert(
                            cached,
                            new SessionScope(data.getContextPath(), data.getVhost()),
                            data,
                            attributes,
                            0,
                            null,
                            JulianDay.fromEpochMillis(System.currentTimeMillis()));
            // The stores' insert leaves a live row of another session under the key alone; the suite must not go on
            // to check a row it did not write.
            if (written != 1) {
                throw new AssertionError("the suite's row for session " + data.getId() + " was not written");
            }
        } finally {
            // The suite's connection outlives this row; its statement must not.
            cached.forgetStatements();
        }
    }

    /** PostgreSQL's dialect comes with its own jar, which the PostgreSQL suites have on the class path. */
    private static SqlDialect postgreSQLDialect() {
        for (DatabaseEngine engine : ServiceLoader.load(DatabaseEngine.class)) {
            if (engine.dialect() != SqlDialect.SQLITE) {
                return engine.dialect();
            }
        }
        throw new IllegalStateException("no PostgreSQL engine on the class path");
    }

    private void bindKey(PreparedStatement s, SessionData data) throws SQLException {
        s.setString(1, ids.keyOf(data.getId()));
        s.setString(2, data.getContextPath());
        s.setString(3, data.getVhost());
    }

    private SessionAttributes attributes() {
        return new SessionAttributes(
                new AttributeCodec(keys, !keys.seals()),
                new AttributeSerializer(DeserializationFilter.create(DeserializationFilter.DEFAULT_PATTERN)));
    }

    private byte[] serialize(SessionData data, ClassLoader webapp) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(webapp);
        try {
            SessionAttributes attributes = attributes();
            return attributes.encode(attributes.changes(data, true).serialized(), keyOf(data));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private Map<String, Object> read(SessionData data, byte[] blob, ClassLoader webapp) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(webapp);
        try {
            SessionData copy = new SessionData(data.getId(), data.getContextPath(), data.getVhost(), 0, 0, 0, 0);
            attributes().readInto(copy, blob, TrackedSessionData.UNKNOWN_VERSION, keyOf(data));
            return new HashMap<>(copy.getAllAttributes());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static AttributeSeal.SessionKey keyOf(SessionData data) {
        return new AttributeSeal.SessionKey(
                SessionTable.DEFAULT_NAME, data.getContextPath(), data.getVhost(), data.getId(), data.getCreated());
    }
}
