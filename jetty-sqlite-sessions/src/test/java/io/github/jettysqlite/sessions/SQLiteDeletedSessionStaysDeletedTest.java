package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** A deleted session stays deleted, on a real SQLite file. */
class SQLiteDeletedSessionStaysDeletedTest extends AbstractDeletedSessionStaysDeletedTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
