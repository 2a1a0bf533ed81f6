package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Layout version 2 upgraded in place, on a real SQLite file. */
class SQLiteSchemaUpgradeTest extends AbstractSchemaUpgradeTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
