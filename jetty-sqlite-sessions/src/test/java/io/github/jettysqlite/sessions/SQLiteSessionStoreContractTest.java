package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.sqlite.SQLiteDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.Test;

/** Jetty's SessionDataStore contract, rule by rule, on a real SQLite file. */
class SQLiteSessionStoreContractTest extends AbstractSessionStoreContractTest {
    private Path file;

    @Override
    StoreFixture newFixture(Path dir) {
        SQLiteFixture fixture = SQLiteFixture.in(dir);
        file = fixture.file();
        return fixture;
    }

    @Test
    void lastStoreToStopClosesTheFileAndTheNextStartOpensItAnew() throws Exception {
        SessionTableDataStore second = fixture.store(StoreFixture.NODE, "/other", SessionContext.NULL_VHOST);
        store.stop();
        assertThat(SQLiteDatabase.isOpen(file)).isTrue();
        second.stop();

        assertThat(SQLiteDatabase.isOpen(file)).isFalse();
        assertThat(Files.exists(Path.of(file + "-wal")))
                .as("closing removes the WAL")
                .isFalse();
        store.start();
        assertThat(SQLiteDatabase.isOpen(file)).isTrue();
    }
}
