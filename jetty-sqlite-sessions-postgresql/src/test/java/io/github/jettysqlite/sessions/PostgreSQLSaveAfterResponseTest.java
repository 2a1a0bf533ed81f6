package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** The save as a request lets go of a session its response saved, on a real PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLSaveAfterResponseTest extends AbstractSaveAfterResponseTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }

    @Override
    void countWrites(StoreFixture fixture) throws Exception {
        fixture.update("CREATE TABLE writes (n BIGINT NOT NULL)");
        fixture.update("INSERT INTO writes VALUES (0)");
        fixture.update("CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN UPDATE writes SET n = n + 1; RETURN NULL; END $$");
        fixture.update("CREATE TRIGGER count_writes AFTER INSERT OR UPDATE ON jetty_sessions"
                + " FOR EACH ROW EXECUTE FUNCTION count_write()");
    }
}
