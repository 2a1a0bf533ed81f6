package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** A user's sessions found and ended over HTTP, two Jetty JVMs on one SQLite file. */
class SQLiteUserSessionsNodesIT extends AbstractUserSessionsNodesIT {
    @Override
    String newDatabase(Path dir) {
        return dir.resolve("shared.db").toString();
    }
}
