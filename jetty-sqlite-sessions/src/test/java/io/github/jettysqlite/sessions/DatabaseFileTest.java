package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.internal.sqlite.FileIdentity;
import io.github.jettysqlite.sessions.internal.sqlite.SQLiteDatabase;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file under a running store: deleted, replaced, reached through a link, or named by a URL. */
class DatabaseFileTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private SQLiteFixture fixture;

    @BeforeEach
    void start() {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void aNodeOpeningTheFileWhileAnotherProcessWritesItBeforeWalWaitsInsteadOfFailingToStart() throws Exception {
        SQLiteFixture second = new SQLiteFixture(dir.resolve("new.db"));
        AtomicReference<Object> opened = new AtomicReference<>();
        Thread opener;
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + second.file())) {
            // Another process writing the file before it is in WAL mode (as the first node to start on a new file
            // does), its write not committed yet.
            try (Statement s = other.createStatement()) {
                s.executeUpdate("CREATE TABLE first_node_write (x INTEGER)");
            }
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.executeUpdate("INSERT INTO first_node_write VALUES (1)");
            }
            opener = new Thread(() -> {
                try {
                    opened.set(second.store());
                } catch (Throwable e) {
                    opened.set(e);
                }
            });
            opener.start();
            // SQLite refuses the switch to WAL at once here, without its busy handler: the store pauses and tries
            // again (or, as before, fails at once).
            Waiting.until(
                    "the opening node refused once",
                    () -> opener.getState() == Thread.State.TIMED_WAITING
                            || opener.getState() == Thread.State.TERMINATED);
            other.commit();
        }
        opener.join();
        assertThat(opened.get()).isInstanceOf(SQLiteSessionDataStore.class);
        SQLiteSessionDataStore store = (SQLiteSessionDataStore) opened.get();
        put(store, session(store, "s1", System.currentTimeMillis() + 3_600_000, NODE));
        assertThat(store.load("s1")).isNotNull();
        second.close();
    }

    @Test
    void fileDeletedUnderARunningStoreMakesTheNextStoreFailInWords() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        StoreFixture.put(store, StoreFixture.session(store, "before", System.currentTimeMillis() + HOUR, NODE));

        Files.delete(fixture.file());
        sleepPastTheNextFileCheck();

        assertThatThrownBy(() -> StoreFixture.put(store, StoreFixture.session(store, "after", 0, NODE)))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining(fixture.file().toString())
                .hasMessageContaining("was deleted while in use");
        assertThat(store.getDatabaseFileLost()).isEqualTo("was deleted");
        // For good: a later write is refused without another look at the file.
        assertThatThrownBy(() -> StoreFixture.put(store, StoreFixture.session(store, "later", 0, NODE)))
                .hasMessageContaining("writes are refused");
        // Nothing the store runs by itself (its checkpoints, a read connection opened later) puts an empty file
        // where the deleted one was. Something that must not happen has no event to wait for, so the store is given
        // time to do it: a longer pause under load only gives it more, and cannot make this assertion fail.
        Thread.sleep(300);
        assertThat(fixture.file()).doesNotExist();
    }

    @Test
    void restoredBackupMovedOverTheFileIsNotWrittenToThroughTheOldOne() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        StoreFixture.put(store, StoreFixture.session(store, "s1", System.currentTimeMillis() + HOUR, NODE));
        Path backup = dir.resolve("backup.db");
        store.admin().backup(backup, false, Progress.NONE);
        assertThat(store.getDatabaseFileLost()).isNull();

        Files.move(backup, fixture.file(), StandardCopyOption.REPLACE_EXISTING);
        sleepPastTheNextFileCheck();

        assertThatThrownBy(() -> StoreFixture.put(store, StoreFixture.session(store, "s2", 0, NODE)))
                .hasMessageContaining("was replaced by another file while in use");
        assertThat(store.getDatabaseFileLost()).isEqualTo("was replaced by another file");
    }

    /**
     * Lets time pass on purpose: the store looks at its file at most every {@link FileIdentity#CHECK_EVERY_MS} ms and
     * promises that the first write after that long since the change is refused, which the tests check of the very
     * next write (waiting for some later write to be refused would check less). Its clock is monotonic and the last
     * look was before the change, so a sleep that runs long under load only makes the look surer.
     */
    private static void sleepPastTheNextFileCheck() throws InterruptedException {
        Thread.sleep(2 * FileIdentity.CHECK_EVERY_MS);
    }

    @Test
    void aClosedStoreKeepsNoFileOfItsDatabaseOpen() throws Exception {
        Path file = dir.resolve("closed.db");
        for (int i = 0; i < 3; i++) {
            try (SQLiteFixture opened = new SQLiteFixture(file)) {
                SQLiteSessionDataStore store = opened.store();
                StoreFixture.put(store, StoreFixture.session(store, "s" + i, 0, NODE));
                assertThat(descriptorsOf(file)).as("while open").isNotEmpty();
            }
        }

        assertThat(SQLiteDatabase.isOpen(file)).isFalse();
        // The database, its -wal and -shm, and the change board beside them: a server that opens and closes stores
        // (a redeployed web application) must not keep one descriptor per store it closed until the collector runs.
        assertThat(descriptorsOf(file)).as("after close").isEmpty();
    }

    /** This process's open descriptors of the database file and the files SQLite and the store keep beside it. */
    private static List<Path> descriptorsOf(Path database) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd (Linux)");
        String prefix = database.toRealPath().toString();
        List<Path> open = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.toString().startsWith(prefix)) {
                        open.add(target);
                    }
                } catch (java.io.IOException ignored) {
                    // closed between the listing and the look: not open
                }
            }
        }
        return open;
    }

    @Test
    void databaseReachedThroughASymbolicLinkSharesOneDatabaseAndFindsItsWal() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real")).resolve("sessions.db");
        Path link = Files.createSymbolicLink(dir.resolve("link.db"), Files.createFile(real));
        SQLiteFixture viaLink = new SQLiteFixture(link);
        SQLiteFixture viaTarget = new SQLiteFixture(real);
        try (viaLink;
                viaTarget) {
            SQLiteSessionDataStore throughLink = viaLink.store();
            SQLiteSessionDataStore direct = viaTarget.store(NODE, "/other", SessionContext.NULL_VHOST);
            StoreFixture.put(throughLink, StoreFixture.session(throughLink, "s1", 0, NODE));

            assertThat(SQLiteDatabase.isOpen(link)).isTrue();
            assertThat(throughLink.admin().countAll())
                    .isEqualTo(direct.admin().countAll())
                    .isEqualTo(1);
            assertThat(Files.exists(dir.resolve("real/sessions.db-wal"))).isTrue();
            assertThat(Files.exists(dir.resolve("link.db-wal"))).isFalse();
            assertThat(throughLink.getWalSizeBytes()).isEqualTo(Files.size(dir.resolve("real/sessions.db-wal")));
        }
    }

    @Test
    void sqliteUrlsInFileFormWorkAndUrlsWithParametersAreRefusedWithoutStrayFiles() throws Exception {
        Path file = dir.resolve("by url.db");
        SQLiteSessionDataStore byUri = fixture.sqliteStore(NODE, "/app", SessionContext.NULL_VHOST, s -> {
            s.setDatabaseFile("jdbc:sqlite:file:" + file.toString().replace(" ", "%20"));
        });
        StoreFixture.put(byUri, StoreFixture.session(byUri, "s1", 0, NODE));
        assertThat(Files.exists(file)).isTrue();

        for (String url : List.of(
                "jdbc:sqlite:" + dir.resolve("params.db") + "?journal_mode=DELETE",
                "jdbc:sqlite:file:" + dir.resolve("params.db") + "?mode=ro",
                "jdbc:sqlite::memory:",
                "jdbc:sqlite:file://elsewhere.example.org/sessions.db")) {
            assertThatThrownBy(() ->
                            fixture.sqliteStore(NODE, "/bad", SessionContext.NULL_VHOST, s -> s.setDatabaseFile(url)))
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Invalid SQLite session store setting databaseFile: ");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.startsWith("params") || name.startsWith("file:"));
        }
        assertThat(Files.exists(Path.of("file:"))).isFalse();
    }
}
