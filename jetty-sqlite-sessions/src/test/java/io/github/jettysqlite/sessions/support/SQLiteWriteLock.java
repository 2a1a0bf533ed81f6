package io.github.jettysqlite.sessions.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Child process of {@code SQLiteLockedFileNodesIT}: another program on the session file (a backup tool, a report,
 * an operator's {@code sqlite3} shell) that takes SQLite's write lock ({@code BEGIN IMMEDIATE}) and holds it. Prints
 * {@code LOCKED} once it holds the lock and {@code RELEASED} once it let go.
 *
 * <p>Arguments: the database file, and how long to hold the lock in milliseconds.
 */
public final class SQLiteWriteLock {
    private SQLiteWriteLock() {}

    public static void main(String[] args) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + args[0]);
                Statement statement = connection.createStatement()) {
            // The nodes write all the time: wait for a moment between their transactions.
            statement.execute("PRAGMA busy_timeout = 30000");
            statement.execute("BEGIN IMMEDIATE");
            System.out.println("LOCKED");
            Thread.sleep(Long.parseLong(args[1]));
            statement.execute("ROLLBACK");
        }
        System.out.println("RELEASED");
    }
}
