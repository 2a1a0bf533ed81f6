package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** The save as a request lets go of a session its response saved, on a real SQLite file. */
class SQLiteSaveAfterResponseTest extends AbstractSaveAfterResponseTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }

    @Override
    void countWrites(StoreFixture fixture) throws Exception {
        countRowWrites(fixture);
    }

    /** Creates a table {@code writes} of one counter and triggers adding one for each row inserted or updated. */
    static void countRowWrites(StoreFixture fixture) throws Exception {
        fixture.update("CREATE TABLE writes (n INTEGER NOT NULL)");
        fixture.update("INSERT INTO writes VALUES (0)");
        for (String event : new String[] {"INSERT", "UPDATE"}) {
            fixture.update("CREATE TRIGGER count_" + event.toLowerCase() + " AFTER " + event
                    + " ON jetty_sessions BEGIN UPDATE writes SET n = n + 1; END");
        }
    }
}
