package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** A rolling deploy of two Jetty JVMs, an old and a new version of the webapp, on one SQLite file. */
class SQLiteRollingDeployNodesIT extends AbstractRollingDeployNodesIT {
    @Override
    String newDatabase(Path dir) {
        return dir.resolve("shared.db").toString();
    }
}
