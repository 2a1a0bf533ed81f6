package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** Jetty's SessionDataStore contract, rule by rule, on a real PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLSessionStoreContractTest extends AbstractSessionStoreContractTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
