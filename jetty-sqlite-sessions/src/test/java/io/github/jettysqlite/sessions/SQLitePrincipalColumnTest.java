package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Who a session is logged in as, recorded and used, on a real SQLite file. */
class SQLitePrincipalColumnTest extends AbstractPrincipalColumnTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
