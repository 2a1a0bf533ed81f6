package io.github.jettysqlite.sessions.internal;

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
public final class CachedConnection implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    public CachedConnection(Connection connection) {
        this.connection = connection;
    }

    /** The statement for this SQL, prepared on first use and reused after that. */
    public PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /**
     * Closes every cached statement so the next use prepares it afresh. Called after any failed work: sqlite-jdbc
     * finalizes a statement whose execution failed (a full disk, say) while still reporting it open, and such a
     * statement would fail every later call with "statement is not executing".
     */
    public void forgetStatements() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // already finalized by the driver, which is why it is being forgotten
            }
        }
        statements.clear();
    }

    /** Runs a statement that returns nothing, such as a pragma or a transaction boundary. */
    public void execute(String sql) throws SQLException {
        prepare(sql).execute();
    }

    public Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        statements.clear();
        // Closing the connection closes and finalizes every statement prepared on it.
        connection.close();
    }
}
