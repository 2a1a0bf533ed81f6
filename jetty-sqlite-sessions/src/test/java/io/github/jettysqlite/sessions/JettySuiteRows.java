package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.attributes.AttributeCodec;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSerializer;
import io.github.jettysqlite.sessions.internal.attributes.DeserializationFilter;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.session.SessionData;

/**
 * The hooks Jetty's own store suite ({@code AbstractSessionDataStoreTest}) asks of a store's test: rows written and
 * read behind the store's back, with plain JDBC, in this library's table layout. Shared by both engines' subclasses.
 */
public final class JettySuiteRows {
    private static final String INSERT =
            "INSERT INTO jetty_sessions (session_id, context_path, virtual_host, last_node,"
                    + " created_ms, accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms, max_inactive_ms, expires_at,"
                    + " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String KEY = " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";

    private JettySuiteRows() {}

    /** Writes the session as a store would, its attributes serialized through the webapp's loader. */
    public static void persist(Connection c, SessionData data, ClassLoader webapp) throws Exception {
        insert(c, data, serialize(data, webapp));
    }

    /** Writes the session with attributes no store can read. */
    public static void persistUnreadable(Connection c, SessionData data) throws SQLException {
        insert(c, data, new byte[] {'J', 'S', 'A', 1, 0, 0, 0, 9, 'b', 'r', 'o', 'k', 'e', 'n'});
    }

    public static boolean exists(Connection c, SessionData data) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM jetty_sessions" + KEY)) {
            bindKey(s, data);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** True when the row holds every field of the session and attributes of the same names and classes. */
    public static boolean persisted(Connection c, SessionData data, ClassLoader webapp) throws Exception {
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

    private static void insert(Connection c, SessionData data, byte[] attributes) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            bindKey(s, data);
            s.setString(4, data.getLastNode());
            s.setLong(5, data.getCreated());
            s.setLong(6, data.getAccessed());
            s.setLong(7, data.getLastAccessed());
            s.setLong(8, data.getCookieSet());
            s.setLong(9, data.getLastSaved());
            s.setLong(10, data.getMaxInactiveMs());
            if (data.getExpiry() <= 0) {
                s.setNull(11, Types.DOUBLE);
            } else {
                s.setDouble(11, JulianDay.fromEpochMillis(data.getExpiry()));
            }
            s.setBytes(12, attributes);
            s.executeUpdate();
        }
    }

    private static void bindKey(PreparedStatement s, SessionData data) throws SQLException {
        s.setString(1, data.getId());
        s.setString(2, data.getContextPath());
        s.setString(3, data.getVhost());
    }

    private static SessionAttributes attributes() {
        return new SessionAttributes(
                AttributeCodec.unsealed(),
                new AttributeSerializer(DeserializationFilter.create(DeserializationFilter.DEFAULT_PATTERN)));
    }

    private static byte[] serialize(SessionData data, ClassLoader webapp) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(webapp);
        try {
            SessionAttributes attributes = attributes();
            return attributes.encode(attributes.changes(data, true).all(), keyOf(data));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Map<String, Object> read(SessionData data, byte[] blob, ClassLoader webapp) throws Exception {
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
