package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** Layout version 2 upgraded in place, on a real PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLSchemaUpgradeTest extends AbstractSchemaUpgradeTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
