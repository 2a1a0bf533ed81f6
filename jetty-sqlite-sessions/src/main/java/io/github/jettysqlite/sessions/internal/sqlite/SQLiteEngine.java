package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.Synchronous;
import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.DatabaseEngine;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;

/** SQLite files for the tools: read-only to inspect, the shared writable database to maintain or upgrade. */
public final class SQLiteEngine implements DatabaseEngine {
    @Override
    public boolean accepts(DatabaseLocation location) {
        return location instanceof DatabaseLocation.SQLiteFile;
    }

    @Override
    public SqlDialect dialect() {
        return SqlDialect.SQLITE;
    }

    @Override
    public SharedDatabases.Lease<? extends SessionDatabase> open(
            DatabaseLocation location, String user, String password, SessionTable table, TableUse use)
            throws SessionDatabaseException {
        // A tool is one more connection beside a running server: it waits as long, and needs few readers.
        SQLiteDatabaseSettings settings = new SQLiteDatabaseSettings(
                ((DatabaseLocation.SQLiteFile) location).file(), Synchronous.NORMAL, 5_000, 2);
        if (use == TableUse.SERVE) {
            return SQLiteDatabase.acquire(settings, table, use, true);
        }
        // Reading first proves the file exists, is SQLite and holds the table (at this layout, to maintain it),
        // before anything opens it for writing, which would switch its journal mode.
        SharedDatabases.Lease<ReadOnlySQLiteDatabase> look = ReadOnlySQLiteDatabase.acquire(settings, table, use);
        if (use == TableUse.INSPECT) {
            return look;
        }
        look.close();
        return SQLiteDatabase.acquire(settings, table, use, true);
    }
}
