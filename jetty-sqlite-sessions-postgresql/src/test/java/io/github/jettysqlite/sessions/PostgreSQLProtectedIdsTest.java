package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** Protected session ids on a real PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLProtectedIdsTest extends AbstractProtectedIdsTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
