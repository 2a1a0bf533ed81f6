package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Concurrent requests keep each other's changes, on a real PostgreSQL server. */
class PostgreSQLConcurrentChangesTest extends AbstractConcurrentChangesTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
