package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.Synchronous;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where commits wait for the disk, a leader waits for the callers it expects before it takes its batch. */
class CommitCompanyTest {
    /** A wait that only a broken writer would see run out (and then fail the test, not hang it). */
    private static final long AS_LONG_AS_A_TEST_WAITS = TimeUnit.SECONDS.toNanos(Waiting.SECONDS);

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aLeaderWaitsForTheCallerItExpectedAndBothCommitInOneTransaction() throws Exception {
        SQLiteDatabaseSettings settings =
                new SQLiteDatabaseSettings(dir.resolve("full.db"), Synchronous.FULL, 1_000, 1);
        CachedConnection connection = SQLiteConnections.openCreating(settings);
        connection.execute("CREATE TABLE t (v INTEGER)");
        CommitCompany company = CommitCompany.waitingUpTo(AS_LONG_AS_A_TEST_WAITS);
        GroupCommitWriter writer =
                new GroupCommitWriter(connection, () -> SQLiteConnections.open(settings), (c, n) -> {}, company);
        GroupCommitWriter.Counts before = writer.counts();
        try {
            // A's first write is inside its batch when B comes: two callers were inside at once.
            CountDownLatch aRunning = new CountDownLatch(1);
            CountDownLatch bQueued = new CountDownLatch(1);
            Future<Object> a1 = pool.submit(() -> writer.write(c -> {
                aRunning.countDown();
                Waiting.await(bQueued, "B queued");
                return insert(c, 1);
            }));
            Waiting.await(aRunning, "A's first write running");
            Future<Object> b = pool.submit(() -> writer.write(c -> insert(c, 2)));
            Waiting.until("B queued", () -> writer.queued() == 1);
            bQueued.countDown();
            a1.get(Waiting.SECONDS, TimeUnit.SECONDS);

            // B leads next, alone in the queue, and waits for the second caller it expects.
            Waiting.until("B's batch waiting for company", company::waiting);
            Future<Object> a2 = pool.submit(() -> writer.write(c -> insert(c, 3)));
            b.get(Waiting.SECONDS, TimeUnit.SECONDS);
            a2.get(Waiting.SECONDS, TimeUnit.SECONDS);

            GroupCommitWriter.Counts after = writer.counts();
            assertThat(after.writes() - before.writes()).as("writes").isEqualTo(3);
            assertThat(after.transactions() - before.transactions())
                    .as("transactions: A's first write alone, then B's and A's second together")
                    .isEqualTo(2);
            assertThat(rows(settings)).isEqualTo(3);
        } finally {
            writer.close();
        }
    }

    @Test
    void aLeaderWhoseExpectedWritesNeverComeStopsWaitingAndTheNextExpectsOne() throws Exception {
        CommitCompany company = CommitCompany.waitingUpTo(TimeUnit.MILLISECONDS.toNanos(1));
        expectTwo(company);
        AtomicInteger looks = new AtomicInteger();

        Future<?> leader = pool.submit(() -> company.awaitExpected(() -> {
            looks.incrementAndGet();
            return 1;
        }));

        leader.get(Waiting.SECONDS, TimeUnit.SECONDS);
        assertThat(looks.get()).as("looks at the queue while waiting").isGreaterThan(1);
        // Only one came this time: the next leader expects one, and does not wait at all.
        company.batchTaken(1);
        company.batchEnded(1_000, 256);
        assertThat(company.expectedWrites()).isEqualTo(1);
        assertThat(company.waitNanos()).isZero();
    }

    @Test
    void afterWaitsThatRanOutMoreBatchesAreTakenWithoutOneAndAWaitMetStartsOver() {
        CommitCompany company = CommitCompany.waitingUpTo(1);
        expectTwo(company);
        AtomicInteger looks = new AtomicInteger();
        StringBuilder waited = new StringBuilder();
        AtomicInteger coming = new AtomicInteger(1);
        for (int batch = 0; batch < 12; batch++) {
            if (batch == 6) {
                // The expected write is there once the leader looks in its wait: the wait is met.
                coming.set(-1);
            }
            looks.set(0);
            company.awaitExpected(() -> {
                int n = looks.incrementAndGet();
                return coming.get() < 0 && n > 1 ? 2 : 1;
            });
            // One look decides whether to wait at all; a wait looks again at least once.
            waited.append(looks.get() > 1 ? 'w' : '-');
            coming.set(1);
        }
        // Ran out: skip one batch; ran out: skip three; met: start over, so ran out: skip one; ran out: skip three.
        assertThat(waited.toString()).isEqualTo("w-w---ww-w--");
    }

    @Test
    void aCallerAloneNeverWaits() throws Exception {
        CommitCompany company = CommitCompany.waitingUpTo(AS_LONG_AS_A_TEST_WAITS);
        company.arrived(1);
        company.batchTaken(1);
        company.batchEnded(1_000, 256);

        Future<?> leader = pool.submit(() -> company.awaitExpected(() -> 1));

        leader.get(Waiting.SECONDS, TimeUnit.SECONDS);
        assertThat(company.expectedWrites()).isEqualTo(1);
        assertThat(company.waitNanos()).isZero();
    }

    @Test
    void underNormalNobodyWaitsWhateverCameBefore() throws Exception {
        for (Synchronous level : List.of(Synchronous.OFF, Synchronous.NORMAL)) {
            CommitCompany company = CommitCompany.of(level);
            expectTwo(company);
            AtomicInteger looks = new AtomicInteger();

            company.awaitExpected(() -> {
                looks.incrementAndGet();
                return 1;
            });

            assertThat(looks.get()).as("looks at the queue under %s", level).isZero();
            assertThat(company.waitNanos()).isZero();
        }
    }

    @Test
    void theWaitIsHalfTheMeanBatchAndAMillisecondAtMostAndNoBatchCountsForMoreThanTwo() {
        CommitCompany company = CommitCompany.of(Synchronous.FULL);
        expectTwo(company);
        assertThat(company.waitNanos()).as("half of a 1 ms batch").isEqualTo(500_000);

        CommitCompany slowDisk = CommitCompany.of(Synchronous.FULL);
        slowDisk.arrived(2);
        slowDisk.batchTaken(2);
        slowDisk.batchEnded(TimeUnit.SECONDS.toNanos(5), 256);
        assertThat(slowDisk.waitNanos()).as("after a 5 s batch").isEqualTo(CommitCompany.MAX_WAIT_NANOS);
        slowDisk.batchTaken(2);
        slowDisk.batchEnded(TimeUnit.MILLISECONDS.toNanos(1), 256);
        // The 5 s batch counted as 2 ms: the mean is 2 ms + (1 ms - 2 ms) / 8.
        assertThat(slowDisk.waitNanos()).as("after a 1 ms batch").isEqualTo(1_875_000 / 2);
    }

    @Test
    void aDatabaseWaitsForCompanyOnlyWhereCommitsWaitForTheDisk() throws Exception {
        for (Synchronous level : Synchronous.values()) {
            SQLiteDatabaseSettings settings = new SQLiteDatabaseSettings(dir.resolve(level + ".db"), level, 5_000, 2);
            try (SharedDatabases.Lease<SQLiteDatabase> lease = SQLiteDatabase.acquire(
                    settings, new SessionTable(SessionTable.DEFAULT_NAME, SqlDialect.SQLITE), TableUse.SERVE, true)) {
                assertThat(lease.database().writer().company().waits())
                        .as("waits under %s", level)
                        .isEqualTo(level == Synchronous.FULL || level == Synchronous.EXTRA);
            }
        }
    }

    /** One batch with two callers inside at once, which took a millisecond. */
    private static void expectTwo(CommitCompany company) {
        company.arrived(1);
        company.batchTaken(1);
        company.arrived(2);
        company.batchEnded(TimeUnit.MILLISECONDS.toNanos(1), 256);
    }

    private static Object insert(CachedConnection c, int value) throws SQLException {
        c.execute("INSERT INTO t VALUES (" + value + ")");
        return value;
    }

    private static int rows(SQLiteDatabaseSettings settings) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + settings.file());
                Statement s = c.createStatement();
                var r = s.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            return r.getInt(1);
        }
    }
}
