package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** A deleted session stays deleted, on a real PostgreSQL server. */
class PostgreSQLDeletedSessionStaysDeletedTest extends AbstractDeletedSessionStaysDeletedTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
