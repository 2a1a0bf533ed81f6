package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.support.Waiting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background checkpointer when its checkpoints fail: it pauses longer after each failure and forgets nothing. */
class CheckpointerTest {
    @TempDir
    Path dir;

    @Test
    void checkpointsThatKeepFailingAreTriedLessAndLessOften() throws Exception {
        List<Long> attempts = new CopyOnWriteArrayList<>();
        Checkpointer checkpointer = new Checkpointer(
                () -> {
                    attempts.add(System.nanoTime());
                    throw new SQLException("disk I/O error");
                },
                work -> work.run(null),
                "failing");
        checkpointer.start();
        try {
            checkpointer.committed(1);
            Waiting.until("four failed checkpoints", () -> attempts.size() >= 4);
        } finally {
            checkpointer.stop();
        }

        // Pauses of at least 250, 500, 1,000 ms after the failures: a loaded machine only makes them longer, while a
        // checkpointer that did not back off would try again every 10 ms.
        for (int i = 1; i < 4; i++) {
            long pauseMs = TimeUnit.NANOSECONDS.toMillis(attempts.get(i) - attempts.get(i - 1));
            assertThat(pauseMs).as("pause after failure %d", i).isGreaterThanOrEqualTo((250L << (i - 1)) - 10);
        }
    }

    @Test
    void aVacuumsLogIsCheckpointedEvenWhenTheFirstTryFails() throws Exception {
        Path file = dir.resolve("vacuumed.db");
        // Held open to the end: the last connection to close would checkpoint the log itself.
        try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = holder.createStatement()) {
            s.executeUpdate("PRAGMA journal_mode = WAL");
            s.executeUpdate("PRAGMA wal_autocheckpoint = 0");
            s.executeUpdate("CREATE TABLE t (x BLOB)");
            s.executeUpdate("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
                    + " INSERT INTO t SELECT randomblob(4096) FROM n");
            // The 50 pages are in the log only; the database file grows when a checkpoint copies them.
            assertThat(Files.size(file)).isLessThan(50 * 4096);

            AtomicInteger attempts = new AtomicInteger();
            Checkpointer checkpointer = new Checkpointer(
                    () -> {
                        if (attempts.incrementAndGet() == 1) {
                            throw new SQLException("database is locked");
                        }
                        return new CachedConnection(DriverManager.getConnection("jdbc:sqlite:" + file));
                    },
                    work -> work.run(null),
                    "vacuumed");
            checkpointer.start();
            try {
                // No commit follows, as after a VACUUM run at a quiet hour: only this says there is work.
                checkpointer.wroteOutsideCommits();
                Waiting.until("the vacuum's pages copied into the database file", () -> sizeOf(file) >= 50 * 4096);
            } finally {
                checkpointer.stop();
            }

            assertThat(attempts.get()).isEqualTo(2);
            assertThat(Files.size(file)).isGreaterThanOrEqualTo(50 * 4096);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
