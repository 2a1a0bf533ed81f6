package io.github.jettysqlite.sessions.internal.engine;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;

/**
 * An engine the tools can open a session database on, found through {@link java.util.ServiceLoader}: SQLite comes
 * with the main artifact, PostgreSQL with {@code jetty-sqlite-sessions-postgresql}. Stores do not use this; each
 * store knows its engine.
 */
public interface DatabaseEngine {
    /** True when this engine opens databases at that location. */
    boolean accepts(DatabaseLocation location);

    SqlDialect dialect();

    /**
     * Opens (or joins) the database for a tool.
     *
     * @param user the user, where the engine has users; null to take it from the location
     * @param password the password, where the engine has them; null to take it from the location; never shown
     */
    SharedDatabases.Lease<? extends SessionDatabase> open(
            DatabaseLocation location, String user, String password, SessionTable table, TableUse use)
            throws SessionDatabaseException;
}
