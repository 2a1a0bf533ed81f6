package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Sealed rows, on a real PostgreSQL server. */
class PostgreSQLSealedRowsTest extends AbstractSealedRowsTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
