package io.github.jettysqlite.sessions.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One SQLite connection and the statements prepared on it. Each statement is prepared the first time it is used
 * and then reused for the life of the connection, so the per-request path never parses SQL. Not thread-safe: a
 * connection is used by one thread at a time (the writer holds a lock, readers are checked out of a pool).
 */
public final class CachedConnection implements AutoCloseable {
    /** How a connection runs its prepared queries; an engine's driver may have a cheaper way than the plain one. */
    public interface Queries {
        /** Runs the query with the parameters bound, as {@link PreparedStatement#executeQuery()} does. */
        ResultSet run(PreparedStatement query) throws SQLException;

        /** Forgets what it kept of the statements of this connection, which are closed. */
        default void forget() {}
    }

    /** {@link PreparedStatement#executeQuery()}, and nothing kept. */
    public static final Queries PLAIN = PreparedStatement::executeQuery;

    private final Connection connection;
    private final Queries queries;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    public CachedConnection(Connection connection) {
        this(connection, PLAIN);
    }

    public CachedConnection(Connection connection, Queries queries) {
        this.connection = connection;
        this.queries = queries;
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
     * Runs a statement of this connection that returns rows, with its parameters bound. Its columns must be read by
     * position: the column names a driver reports may be the ones of its first run.
     */
    public ResultSet query(PreparedStatement query) throws SQLException {
        return queries.run(query);
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
        queries.forget();
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
        queries.forget();
        // Closing the connection closes and finalizes every statement prepared on it.
        connection.close();
    }
}
