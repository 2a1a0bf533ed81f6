package io.github.jettysqlite.sessions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One SQLite connection and the statements prepared on it. Each statement is prepared the first time it is used
 * and then reused for the life of the connection, so the per-request path never parses SQL. Not thread-safe: a
 * connection is used by one thread at a time (the writer holds a lock, readers are checked out of a pool).
 */
final class CachedConnection implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    CachedConnection(Connection connection) {
        this.connection = connection;
    }

    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /** Runs a statement that returns nothing, such as a pragma or a transaction boundary. */
    void execute(String sql) throws SQLException {
        prepare(sql).execute();
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        statements.clear();
        // Closing the connection closes and finalizes every statement prepared on it.
        connection.close();
    }
}
