package io.github.jettysqlite.sessions.internal.table;

import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionScope;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Binding parameters and reading results the same way in every statement of the table and of the tools. */
public final class Sql {
    private Sql() {}

    /** Reads one value from the current row of a result. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** Binds a row's key in {@link SessionTable#KEY}'s order: id, context path, virtual host. */
    public static void bindKey(PreparedStatement s, int first, SessionScope scope, String id) throws SQLException {
        bindKey(s, first, scope.contextPath(), scope.virtualHost(), id);
    }

    public static void bindKey(PreparedStatement s, int first, String contextPath, String virtualHost, String id)
            throws SQLException {
        s.setString(first, id);
        s.setString(first + 1, contextPath);
        s.setString(first + 2, virtualHost);
    }

    /** Jetty's expiry of zero or less means "never"; the table says that with NULL, which the index leaves out. */
    public static void bindExpiry(PreparedStatement s, int index, long expiry) throws SQLException {
        if (expiry <= 0) {
            s.setNull(index, Types.DOUBLE);
        } else {
            s.setDouble(index, JulianDay.fromEpochMillis(expiry));
        }
    }

    /** A Julian-day column back to Jetty's expiry: 0 for NULL (never). */
    public static long expiry(ResultSet row, int column) throws SQLException {
        double expiresAt = row.getDouble(column);
        return row.wasNull() ? 0 : JulianDay.toEpochMillis(expiresAt);
    }

    public static <T> List<T> rows(PreparedStatement s, RowReader<T> reader) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(reader.read(r));
            }
        }
        return rows;
    }

    /** The first column of the first row as a number; 0 when there is no row. */
    public static long queryLong(PreparedStatement s) throws SQLException {
        try (ResultSet r = s.executeQuery()) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    /** The first column of every row, as session ids. */
    public static Set<String> ids(PreparedStatement s) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }
}
