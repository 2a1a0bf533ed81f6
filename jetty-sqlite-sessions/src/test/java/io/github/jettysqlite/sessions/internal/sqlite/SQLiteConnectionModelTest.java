package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.SQLiteFixture;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.StoreFixture;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long-lived connections: a bounded reader pool, one writer, nothing left open after a refused start. */
class SQLiteConnectionModelTest {
    @TempDir
    Path dir;

    private SQLiteFixture fixture;

    @BeforeEach
    void open() {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void manyConcurrentReadersShareABoundedPool() throws Exception {
        SQLiteSessionDataStore store =
                fixture.sqliteStore(StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setMaxReaders(2));
        StoreFixture.put(store, StoreFixture.session(store, "s1", 0, StoreFixture.NODE));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Object>> reads = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                reads.add(pool.submit(() -> store.load("s1").getAttribute("user")));
            }
            for (Future<Object> read : reads) {
                assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo("alice");
            }
        } finally {
            pool.shutdownNow();
        }

        try (SQLiteInternals database = SQLiteInternals.of(fixture.file())) {
            assertThat(database.readersOpened()).isBetween(1, 2);
        }
    }

    @Test
    void aRefusedStartLeavesTheFileClosedAndUsableOnceFixed() throws Exception {
        fixture.store().stop();
        fixture.update("PRAGMA user_version = 7");
        assertThatThrownBy(() -> fixture.store()).isInstanceOf(SessionDatabaseException.class);

        fixture.update("PRAGMA user_version = " + SessionTable.SCHEMA_VERSION);
        SQLiteSessionDataStore store = fixture.store();

        StoreFixture.put(store, StoreFixture.session(store, "s1", 0, StoreFixture.NODE));
        assertThat(store.load("s1")).isNotNull();
    }

    @Test
    void aStoppedStoreRefusesCallsInsteadOfReachingAClosedFile() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        store.stop();

        assertThatThrownBy(() -> store.load("s1")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.delete("s1")).isInstanceOf(IllegalStateException.class);
    }
}
