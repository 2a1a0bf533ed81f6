package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** Opening connections to a session database file, with the pragmas every connection runs with. */
public final class SQLiteConnections {
    private SQLiteConnections() {}

    /**
     * Wraps every connection opened here. The identity, except in tests that inject faults a real file cannot
     * produce on demand (a COMMIT that fails, say) around a real connection.
     */
    public static volatile UnaryOperator<Connection> decorator = UnaryOperator.identity();

    /**
     * A read-write connection with the settings' pragmas to a file that exists; reading the schema proves the file is
     * SQLite now. Every connection but the first of a database opens this way: one opened later, after the file was
     * deleted, must fail rather than create an empty file in its place.
     */
    static CachedConnection open(SQLiteDatabaseSettings settings) throws SQLException {
        return open(settings, false);
    }

    /** The first connection of a database, which creates the file when there is none yet. */
    static CachedConnection openCreating(SQLiteDatabaseSettings settings) throws SQLException {
        return open(settings, true);
    }

    private static CachedConnection open(SQLiteDatabaseSettings settings, boolean create) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        if (!create) {
            config.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        config.setBusyTimeout(settings.busyTimeoutMs());
        // Otherwise sqlite-jdbc runs "SELECT last_insert_rowid()" after every INSERT, inside the writer lock.
        config.setGetGeneratedKeys(false);
        CachedConnection c = new CachedConnection(
                decorator.apply(config.createConnection("jdbc:sqlite:" + settings.file())), new SQLiteQueries());
        try {
            c.execute("PRAGMA synchronous = " + settings.synchronous().name());
            queryString(c, "SELECT count(*) FROM sqlite_schema");
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A connection that cannot write, for tools that only look and for backups. */
    static CachedConnection openReadOnly(SQLiteDatabaseSettings settings) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(settings.busyTimeoutMs());
        return new CachedConnection(
                decorator.apply(config.createConnection("jdbc:sqlite:" + settings.file())), new SQLiteQueries());
    }

    /** Checks what SQLite would otherwise report vaguely: a missing or read-only directory or file. */
    static void checkLocation(Path file) throws SessionDatabaseException {
        Path directory = file.getParent();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new SessionDatabaseException(
                    "Cannot create the directory " + directory + " for session database " + file + ": " + e, e);
        }
        if (Files.isDirectory(file)) {
            throw new SessionDatabaseException("Session database " + file + " is a directory, not a file", null);
        }
        if (!Files.isWritable(directory)) {
            throw new SessionDatabaseException(
                    "Session database " + file + " cannot be used: its directory " + directory
                            + " is not writable (SQLite keeps its -wal and -shm files there)",
                    null);
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new SessionDatabaseException("Session database " + file + " is read-only", null);
        }
    }

    /** Runs a query and answers the first column of its first row, or null. */
    static String queryString(CachedConnection c, String sql) throws SQLException {
        try (Statement statement = c.connection().createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
