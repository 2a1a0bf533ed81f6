package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** Who a session is logged in as, recorded and used, on a real PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLPrincipalColumnTest extends AbstractPrincipalColumnTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }
}
