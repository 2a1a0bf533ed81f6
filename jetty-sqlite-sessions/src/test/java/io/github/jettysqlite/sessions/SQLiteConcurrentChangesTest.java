package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Concurrent requests keep each other's changes, on a real SQLite file. */
class SQLiteConcurrentChangesTest extends AbstractConcurrentChangesTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
