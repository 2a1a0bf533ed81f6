package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/**
 * An SQLite file opened only to look at it, as the command line's stats, list, show, check and backup do: one
 * read-only connection, and nothing that writes. Opening it creates no table, changes no journal mode, runs no
 * {@code optimize} and upgrades no schema, so an operator's look never changes what a running server sees.
 */
public final class ReadOnlySQLiteDatabase implements SQLiteFile {
    private static final SharedDatabases<Path, ReadOnlySQLiteDatabase> OPEN = new SharedDatabases<>();

    private final SQLiteDatabaseSettings settings;
    private final CachedConnection connection;

    private ReadOnlySQLiteDatabase(SQLiteDatabaseSettings settings, CachedConnection connection) {
        this.settings = settings;
        this.connection = connection;
    }

    /**
     * @param use {@link TableUse#INSPECT}, or {@link TableUse#MAINTAIN} to check, before anything opens the file for
     *     writing, that the table is at this library's layout
     * @throws SessionDatabaseException when the file is missing, is not SQLite, or holds no such session table
     */
    public static SharedDatabases.Lease<ReadOnlySQLiteDatabase> acquire(
            SQLiteDatabaseSettings settings, SessionTable table, TableUse use) throws SessionDatabaseException {
        if (!Files.isRegularFile(settings.file())) {
            throw new SessionDatabaseException("Session database " + settings.file() + " does not exist", null);
        }
        return OPEN.acquire(settings.file(), file -> open(settings), open -> {}, SessionSchema.of(table), use);
    }

    private static ReadOnlySQLiteDatabase open(SQLiteDatabaseSettings settings) throws SessionDatabaseException {
        try {
            return new ReadOnlySQLiteDatabase(settings, SQLiteConnections.openReadOnly(settings));
        } catch (SQLException | RuntimeException e) {
            throw SQLiteErrors.describe(settings, e);
        }
    }

    @Override
    public <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        throw readOnly();
    }

    @Override
    public synchronized <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        try {
            return work.run(connection);
        } catch (SQLException | RuntimeException e) {
            connection.forgetStatements();
            throw SQLiteErrors.describe(settings, e);
        }
    }

    @Override
    public SQLiteDatabaseSettings settings() {
        return settings;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing was written through it
        }
    }

    /** A backup only reads the source, so it runs here as it would on the server's own database. */
    @Override
    public void backup(Path target, boolean overwrite, ProgressListener progress) throws SessionDatabaseException {
        SQLiteBackup.copy(settings, target, overwrite, progress);
    }

    @Override
    public void vacuum() throws SessionDatabaseException {
        throw readOnly();
    }

    @Override
    public void releaseFreePages() throws SessionDatabaseException {
        throw readOnly();
    }

    @Override
    public List<String> integrityCheck() throws SessionDatabaseException {
        return read(c -> Housekeeping.integrityCheck(c.connection()));
    }

    private SessionDatabaseException readOnly() {
        return new SessionDatabaseException(
                "Session database " + settings.file() + " was opened read-only, to inspect it", null);
    }
}
