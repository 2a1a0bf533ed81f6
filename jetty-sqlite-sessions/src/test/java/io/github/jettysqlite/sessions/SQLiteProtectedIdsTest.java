package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Protected session ids on a real SQLite file. */
class SQLiteProtectedIdsTest extends AbstractProtectedIdsTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
