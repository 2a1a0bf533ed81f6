package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Schema modes validate and none on a real SQLite file. */
class SQLiteSchemaModeTest extends AbstractSchemaModeTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
