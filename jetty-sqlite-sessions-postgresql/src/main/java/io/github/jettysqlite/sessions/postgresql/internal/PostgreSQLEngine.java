package io.github.jettysqlite.sessions.postgresql.internal;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.DatabaseEngine;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;

/** PostgreSQL servers for the tools: a small pool, or the one a running server in this JVM already has. */
public final class PostgreSQLEngine implements DatabaseEngine {
    @Override
    public boolean accepts(DatabaseLocation location) {
        return location instanceof DatabaseLocation.PostgreSQLUrl;
    }

    @Override
    public SqlDialect dialect() {
        return PostgreSQLDialect.INSTANCE;
    }

    @Override
    public SharedDatabases.Lease<? extends SessionDatabase> open(
            DatabaseLocation location, String user, String password, SessionTable table, TableUse use)
            throws SessionDatabaseException {
        PostgreSQLConnectionSettings settings;
        try {
            settings = new PostgreSQLConnectionSettings(
                    ((DatabaseLocation.PostgreSQLUrl) location).url(), user, password, 2, 3_000, null, null);
        } catch (IllegalArgumentException e) {
            throw new SessionDatabaseException(e.getMessage(), e);
        }
        return PostgreSQLDatabase.acquire(settings, table, use, true);
    }
}
