package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Layout version 2 upgraded in place, on a real PostgreSQL server. */
class PostgreSQLSchemaUpgradeTest extends AbstractSchemaUpgradeTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
