package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.engine.DatabaseEngine;
import java.util.ServiceLoader;

/** The engines on the class path that the tools can open databases on: SQLite always, PostgreSQL when added. */
final class Engines {
    private Engines() {}

    static DatabaseEngine forLocation(DatabaseLocation location) throws SessionDatabaseException {
        for (DatabaseEngine engine : ServiceLoader.load(DatabaseEngine.class, Engines.class.getClassLoader())) {
            if (engine.accepts(location)) {
                return engine;
            }
        }
        throw new SessionDatabaseException(
                location instanceof DatabaseLocation.PostgreSQLUrl
                        ? "Session databases on PostgreSQL need io.github.jettysqlite:jetty-sqlite-sessions-postgresql"
                                + " on the class path"
                        : "No engine on the class path opens " + location,
                null);
    }
}
