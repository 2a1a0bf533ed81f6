package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.Waiting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-ahead log stays small without a request ever paying for a checkpoint: not under reads that never
 * pause, and not while a reader holds one snapshot for long (an online backup).
 */
class SQLiteWalTest {
    private static final long HOUR = 3_600_000;
    private static final long MIB = 1024 * 1024;
    private static final int PAYLOAD = 16 * 1024;

    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private SQLiteSessionDataStore store;
    private Path wal;
    private long now;

    @BeforeEach
    void start() throws Exception {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
        store = fixture.store();
        wal = Path.of(fixture.file() + "-wal");
        now = System.currentTimeMillis();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void walStaysSmallWhileReadsNeverPause() throws Exception {
        put(store, session(store, "hot", now + HOUR, NODE));
        AtomicBoolean reading = new AtomicBoolean(true);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            Thread reader = new Thread(() -> {
                while (reading.get()) {
                    try {
                        store.load("hot");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    // Back to back still (four readers: one is nearly always mid-read), but no reader keeps the writer
                    // and the checkpointer off a two-core machine, where CPU, not the readers, would starve them.
                    Thread.yield();
                }
            });
            reader.start();
            readers.add(reader);
        }
        long largestWal = 0;
        long written = 0;
        try {
            for (int i = 0; i < 12000; i++) {
                put(store, withPayload(session(store, "w" + (i % 500), now + HOUR, NODE)));
                written += PAYLOAD;
                largestWal = Math.max(largestWal, walSize());
            }
            long restarts = store.getForcedCheckpoints();

            // 12000 writes of 16 KiB put about 200 MiB through the WAL, which the checkpointer restarts past 4,000
            // pages (16 MiB). A log the readers kept from restarting would hold all of it; how much more than 16 MiB
            // is written while the checkpointer works depends on the CPU it gets, so the bound is relative to what was
            // written, well above what a loaded machine reached, far below a log that never restarted.
            assertThat(largestWal)
                    .as("largest log, of %d MiB written", written / MIB)
                    .isLessThan(written / 3);
            // Restarted at least once: with a restart only past 4,000 pages, on a loaded machine the writer's own
            // reset of a log the passive checkpoints caught up with does most of the rest (one restart seen there).
            assertThat(restarts).as("restarts during the writes").isPositive();

            // And with the readers still going, the log is cut back to its limit: they never pin it.
            AtomicInteger after = new AtomicInteger();
            Waiting.until("the log cut back to 16 MiB while reads go on", () -> {
                putQuietly("after" + (after.getAndIncrement() % 50));
                return walSize() <= 16 * MIB;
            });
        } finally {
            reading.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
        }
    }

    @Test
    void aReaderHoldingOneSnapshotNeitherStallsWritesNorLeavesTheWalLarge() throws Exception {
        put(store, session(store, "first", now + HOUR, NODE));
        long slowest = 0;
        try (Connection backup = DriverManager.getConnection("jdbc:sqlite:" + fixture.file());
                Statement snapshot = backup.createStatement()) {
            // What an online backup does: one read transaction held across every step of the copy.
            backup.setAutoCommit(false);
            try (ResultSet r = snapshot.executeQuery("SELECT count(*) FROM jetty_sessions")) {
                r.next();
            }
            for (int i = 0; i < 2500; i++) {
                long t0 = System.nanoTime();
                put(store, withPayload(session(store, "w" + (i % 500), now + HOUR, NODE)));
                slowest = Math.max(slowest, System.nanoTime() - t0);
            }
            // The reader pins the log: nothing can restart it, so it holds every write since the snapshot.
            assertThat(walSize()).isGreaterThan(16 * MIB);
            backup.rollback();
        }
        // No write waited for the reader: a restarting checkpoint gives up after 100 ms and backs off; the writer
        // never waits for a checkpoint at all (before, it waited the whole busy timeout, again and again). A loaded
        // machine may stretch one write well past 100 ms, but not to the busy timeout.
        assertThat(slowest / 1_000_000).isLessThan(store.getBusyTimeoutMs());

        // Once the reader is gone, the next restart brings the log back under its limit.
        AtomicInteger after = new AtomicInteger();
        Waiting.until("the log cut back to 16 MiB while writes go on", () -> {
            putQuietly("after" + (after.getAndIncrement() % 50));
            return walSize() <= 16 * MIB;
        });
    }

    @Test
    void aVacuumsLogIsCheckpointedWithoutAnotherWrite() throws Exception {
        for (int i = 0; i < 1200; i++) {
            put(store, withPayload(session(store, "v" + i, now + HOUR, NODE)));
        }
        // Those commits put more than 4,000 pages through the log: let the checkpointer restart it for them, and then
        // deal with the last of them, so that only the VACUUM is left to prompt the next restart.
        Waiting.until("the restart those commits called for", () -> store.getForcedCheckpoints() > 0);
        Waiting.until("the checkpointer done with those commits", store::checkpointsCaughtUp);
        long restartsBefore = store.getForcedCheckpoints();

        // VACUUM writes the whole file (about 20 MiB here, more than a restart lets the log hold) through the log,
        // outside any commit the writer counts.
        store.admin().vacuum();

        Waiting.until("a restart of the log the VACUUM wrote", () -> store.getForcedCheckpoints() > restartsBefore);
    }

    /** A small write, for conditions that write while they wait. */
    private void putQuietly(String id) {
        try {
            put(store, session(store, id, now + HOUR, NODE));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SessionData withPayload(SessionData data) {
        data.setAttribute("payload", new byte[PAYLOAD]);
        return data;
    }

    private long walSize() {
        try {
            return Files.exists(wal) ? Files.size(wal) : 0;
        } catch (IOException e) {
            return 0; // removed between the two calls
        }
    }
}
