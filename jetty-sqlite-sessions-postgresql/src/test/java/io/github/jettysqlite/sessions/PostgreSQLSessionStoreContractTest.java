package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Jetty's SessionDataStore contract, rule by rule, on a real PostgreSQL server. */
class PostgreSQLSessionStoreContractTest extends AbstractSessionStoreContractTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
