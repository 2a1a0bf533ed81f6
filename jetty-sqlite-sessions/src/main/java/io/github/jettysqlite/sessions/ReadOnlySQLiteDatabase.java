package io.github.jettysqlite.sessions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * An SQLite file opened only to look at it, as the command line's stats, list, show, check and backup do: one
 * read-only connection, and nothing that writes. Opening it creates no table, changes no journal mode, runs no
 * {@code optimize} and upgrades no schema, so an operator's look never changes what a running server sees.
 */
final class ReadOnlySQLiteDatabase implements SessionDatabase {
    private final DatabaseSettings settings;
    private final CachedConnection connection;

    private ReadOnlySQLiteDatabase(DatabaseSettings settings, CachedConnection connection) {
        this.settings = settings;
        this.connection = connection;
    }

    /**
     * @throws SessionDatabaseException when the file is missing, is not SQLite, or holds no readable session table
     */
    static ReadOnlySQLiteDatabase open(DatabaseSettings settings, SessionTable table) throws SessionDatabaseException {
        if (!Files.isRegularFile(settings.file())) {
            throw new SessionDatabaseException("Session database " + settings.file() + " does not exist", null);
        }
        CachedConnection c = null;
        try {
            c = connect(settings);
            table.requireReadable(c);
            return new ReadOnlySQLiteDatabase(settings, c);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw DatabaseErrors.describe(settings, e);
        }
    }

    static CachedConnection connect(DatabaseSettings settings) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(settings.busyTimeoutMs());
        return new CachedConnection(
                SQLiteDatabase.connectionDecorator.apply(config.createConnection("jdbc:sqlite:" + settings.file())));
    }

    @Override
    public SqlDialect dialect() {
        return SqlDialect.SQLITE;
    }

    @Override
    public <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        throw new SessionDatabaseException(
                "Session database " + settings.file() + " was opened read-only, to inspect it", null);
    }

    @Override
    public synchronized <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        try {
            return work.run(connection);
        } catch (SQLException | RuntimeException e) {
            connection.forgetStatements();
            throw DatabaseErrors.describe(settings, e);
        }
    }

    @Override
    public synchronized void release() {
        closeQuietly(connection);
    }

    @Override
    public String location() {
        return settings.file().toString();
    }

    @Override
    public String journalMode() throws SessionDatabaseException {
        return read(c -> SQLiteDatabase.queryString(c, "PRAGMA journal_mode"));
    }

    @Override
    public long fileBytes() {
        return SQLiteDatabase.sizeOf(settings.file());
    }

    @Override
    public long walBytes() {
        return SQLiteDatabase.sizeOf(Housekeeping.walFile(settings.file()));
    }

    @Override
    public long forcedCheckpoints() {
        return 0;
    }

    @Override
    public void releaseFreePages() throws SessionDatabaseException {
        write(c -> null);
    }

    /** A backup only reads the source, so it runs here as it would on the server's own database. */
    @Override
    public void backup(Path target, boolean overwrite, SessionDatabaseAdmin.Progress progress)
            throws SessionDatabaseException {
        SQLiteDatabase.backup(settings, target, overwrite, progress);
    }

    @Override
    public void vacuum() throws SessionDatabaseException {
        write(c -> null);
    }

    @Override
    public List<String> integrityCheck() throws SessionDatabaseException {
        return read(Housekeeping::integrityCheck);
    }

    private static void closeQuietly(CachedConnection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing was written through it
        }
    }
}
