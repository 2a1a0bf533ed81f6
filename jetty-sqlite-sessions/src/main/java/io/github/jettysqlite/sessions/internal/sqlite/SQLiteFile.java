package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.FileMaintenance;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import java.nio.file.Path;

/**
 * A session database kept in one SQLite file, opened for the server ({@link SQLiteDatabase}) or only to look at it
 * ({@link ReadOnlySQLiteDatabase}). Where the file is, how large it and its write-ahead log are and its journal mode
 * follow from the settings and one read, whichever way the file was opened, so they are answered here once.
 */
interface SQLiteFile extends SessionDatabase, FileMaintenance {
    /** The file and how it was opened. */
    SQLiteDatabaseSettings settings();

    @Override
    default String location() {
        return settings().file().toString();
    }

    @Override
    default Path file() {
        return settings().file();
    }

    @Override
    default String journalMode() throws SessionDatabaseException {
        return read(c -> SQLiteConnections.queryString(c, "PRAGMA journal_mode"));
    }

    @Override
    default long fileBytes() {
        return SQLiteConnections.sizeOf(settings().file());
    }

    @Override
    default long walBytes() {
        return SQLiteConnections.sizeOf(settings().wal());
    }
}
