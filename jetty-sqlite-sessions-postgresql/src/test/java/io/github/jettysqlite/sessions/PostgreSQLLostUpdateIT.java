package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two Jetty JVMs on one PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLLostUpdateTest extends AbstractLostUpdateTest {
    @Override
    String newDatabase(Path dir) {
        return PostgreSQLServer.get().freshSchemaUrl();
    }
}
