package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Two Jetty JVMs with coherent session caches on one SQLite file. */
class SQLiteCoherentCacheNodesIT extends AbstractCoherentCacheNodesIT {
    @Override
    String newDatabase(Path dir) {
        return dir.resolve("shared.db").toString();
    }
}
