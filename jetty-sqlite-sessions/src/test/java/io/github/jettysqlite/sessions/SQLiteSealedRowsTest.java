package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Sealed rows, on a real SQLite file. */
class SQLiteSealedRowsTest extends AbstractSealedRowsTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
