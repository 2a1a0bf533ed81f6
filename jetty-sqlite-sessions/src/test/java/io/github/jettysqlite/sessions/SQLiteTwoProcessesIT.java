package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Two Jetty JVMs on one SQLite file. */
class SQLiteTwoProcessesIT extends AbstractTwoProcessesIT {
    @Override
    String newDatabase(Path dir) {
        return dir.resolve("shared.db").toString();
    }
}
