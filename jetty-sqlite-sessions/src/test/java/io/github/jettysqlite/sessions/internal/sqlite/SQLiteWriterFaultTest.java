package io.github.jettysqlite.sessions.internal.sqlite;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import io.github.jettysqlite.sessions.SQLiteFixture;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.StoreFixture;
import io.github.jettysqlite.sessions.Synchronous;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.support.Waiting;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Faults of the SQLite writer, readers and shared database fail fast and alone. Faults a real file cannot produce on
 * demand (a COMMIT or ROLLBACK that fails) are injected around real sqlite-jdbc connections with Mockito; everything
 * else is real.
 */
class SQLiteWriterFaultTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private ExecutorService pool;
    /** Failures still to inject, per statement: the next executions of that SQL throw. */
    private final AtomicInteger commitFailures = new AtomicInteger();

    private final AtomicInteger rollbackFailures = new AtomicInteger();
    /** Statements that waited for the write lock (a BEGIN, or a write in autocommit mode) past the busy timeout. */
    private final AtomicInteger lockWaitsTimedOut = new AtomicInteger();

    private SQLiteInternals internals;

    @BeforeEach
    void start() {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
        pool = Executors.newCachedThreadPool();
        SQLiteConnections.decorator = this::withInjectedFaults;
    }

    @AfterEach
    void stop() throws Exception {
        SQLiteConnections.decorator = c -> c;
        pool.shutdownNow();
        if (internals != null) {
            internals.close();
        }
        fixture.close();
    }

    @Test
    void beginThatCannotGetTheLockFailsTheWholeBatchAtOnce() throws Exception {
        SQLiteSessionDataStore store =
                fixture.sqliteStore(NODE, "/app", SessionContext.NULL_VHOST, s -> s.setBusyTimeoutMs(400));
        GroupCommitWriter writer = internals().writer();
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + fixture.file());
                Statement lock = other.createStatement()) {
            lock.execute("BEGIN IMMEDIATE");
            CountDownLatch release = hold(writer);
            List<Future<Object>> callers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String id = "s" + i;
                callers.add(pool.submit(() -> {
                    assertThatThrownBy(() -> StoreFixture.put(store, StoreFixture.session(store, id, 0, NODE)))
                            .hasMessageContaining(fixture.file().toString())
                            .hasMessageContaining("locked by another connection or process");
                    return null;
                }));
            }
            Waiting.until("six writes queued behind the held writer", () -> writer.queued() == 6);
            release.countDown();
            for (Future<Object> caller : callers) {
                caller.get(Waiting.SECONDS, TimeUnit.SECONDS);
            }
            // One batch, one wait for the lock, one busy timeout for all: were each write retried on its own, the
            // k-th caller would wait k busy timeouts, and the lock would have been waited for seven times.
            assertThat(lockWaitsTimedOut)
                    .as("waits for the write lock that ran out")
                    .hasValue(1);
            lock.execute("ROLLBACK");
        }
        StoreFixture.put(store, StoreFixture.session(store, "after", 0, NODE));
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions")).containsExactly(List.of("after"));
    }

    @Test
    void commitFailingOnceLetsEachWriteOfTheBatchLearnItsOwnOutcome() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        GroupCommitWriter writer = internals().writer();
        CountDownLatch release = hold(writer);
        List<Future<Object>> writes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = "s" + i;
            writes.add(pool.submit(() -> {
                StoreFixture.put(store, StoreFixture.session(store, id, 0, NODE));
                return null;
            }));
        }
        Waiting.until("three writes queued", () -> writer.queued() == 3);
        commitFailures.set(1);
        release.countDown();

        for (Future<Object> write : writes) {
            write.get(Waiting.SECONDS, TimeUnit.SECONDS);
        }
        assertThat(commitFailures).hasValue(0);
        assertThat(fixture.query("SELECT count(*) FROM jetty_sessions")).containsExactly(List.of(3));
    }

    @Test
    void commitFailingAlwaysFailsEveryCallerInWordsAndLeavesTheSessionDirty() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        SessionData data = StoreFixture.session(store, "s1", System.currentTimeMillis() + HOUR, NODE);
        StoreFixture.put(store, data);
        SessionData changed = store.load("s1");
        changed.setAttribute("user", "bob");
        long lastSaved = changed.getLastSaved();
        commitFailures.set(Integer.MAX_VALUE);

        assertThatThrownBy(() -> store.store("s1", changed))
                .hasMessageContaining(fixture.file().toString())
                .hasMessageContaining("hit an I/O error");
        assertThatThrownBy(() -> StoreFixture.put(store, StoreFixture.session(store, "s2", 0, NODE)))
                .hasMessageContaining(fixture.file().toString());

        assertThat(changed.isDirty()).as("still to be saved").isTrue();
        assertThat(changed.getLastSaved()).isEqualTo(lastSaved);
        commitFailures.set(0);
        assertThat(store.load("s1").getAttribute("user")).isEqualTo("alice");
        assertThat(fixture.query("SELECT count(*) FROM jetty_sessions")).containsExactly(List.of(1));
        store.store("s1", changed);
        assertThat(store.load("s1").getAttribute("user")).isEqualTo("bob");
    }

    @Test
    void rollbackThatFailsReplacesTheWriteConnection() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        commitFailures.set(1);
        rollbackFailures.set(1);

        // The commit of an explicit transaction fails, then its rollback: the connection, in a state nobody knows,
        // is discarded.
        GroupCommitWriter writer = internals().writer();
        assertThatThrownBy(() -> writer.write(c -> c.prepare("INSERT INTO jetty_sessions (session_id, context_path,"
                                + " virtual_host, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms,"
                                + " last_saved_ms, max_inactive_ms, attributes) VALUES ('s0', '', '', 0, 0, 0, 0, 0, 0,"
                                + " x'')")
                        .executeUpdate()))
                .hasMessageContaining("I/O error");
        assertThat(rollbackFailures).hasValue(0);
        StoreFixture.put(store, StoreFixture.session(store, "s2", 0, NODE));
        StoreFixture.put(store, StoreFixture.session(store, "s1", 0, NODE));

        assertThat(fixture.query("SELECT session_id FROM jetty_sessions ORDER BY session_id"))
                .containsExactly(List.of("s1"), List.of("s2"));
        assertThat(fixture.query("PRAGMA integrity_check")).containsExactly(List.of("ok"));
    }

    @Test
    void errorMidBatchLeavesNoCallerParked() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        GroupCommitWriter writer = internals().writer();
        CountDownLatch release = hold(writer);
        Future<Object> before = pool.submit(() -> writer.write(c -> 1));
        Waiting.until("the first write queued", () -> writer.queued() == 1);
        Future<Object> failing = pool.submit(() -> writer.write(c -> {
            throw new StackOverflowError("injected");
        }));
        Waiting.until("the failing write queued", () -> writer.queued() == 2);
        Future<Object> after = pool.submit(() -> writer.write(c -> 3));
        Waiting.until("the last write queued", () -> writer.queued() == 3);
        release.countDown();

        List<Throwable> outcomes = new ArrayList<>();
        for (Future<Object> caller : List.of(before, failing, after)) {
            try {
                caller.get(Waiting.SECONDS, TimeUnit.SECONDS);
                outcomes.add(null);
            } catch (ExecutionException e) {
                outcomes.add(e.getCause());
            }
        }
        assertThat(outcomes.get(1)).isInstanceOf(StackOverflowError.class);
        assertThat(writer.queued()).isZero();
        StoreFixture.put(store, StoreFixture.session(store, "later", 0, NODE));
        assertThat(store.load("later")).isNotNull();
    }

    @Test
    void commitListenerThrowingAnErrorFailsNoCommittedWrite() throws Exception {
        SQLiteDatabaseSettings settings =
                new SQLiteDatabaseSettings(dir.resolve("direct.db"), Synchronous.NORMAL, 1_000, 1);
        CachedConnection connection = SQLiteConnections.openCreating(settings);
        connection.execute("CREATE TABLE t (v INTEGER)");
        AtomicInteger commits = new AtomicInteger();
        GroupCommitWriter writer = new GroupCommitWriter(connection, () -> SQLiteConnections.open(settings), (c, n) -> {
            if (commits.incrementAndGet() == 1) {
                throw new AssertionError("housekeeping blew up");
            }
        });
        CountDownLatch release = hold(writer);
        List<Future<Object>> writes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int value = i;
            writes.add(pool.submit(() -> writer.write(c -> {
                c.execute("INSERT INTO t VALUES (" + value + ")");
                return value;
            })));
            Waiting.until("write " + value + " queued", () -> writer.queued() == value + 1);
        }
        release.countDown();

        int errors = 0;
        for (Future<Object> write : writes) {
            try {
                write.get(Waiting.SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).hasMessage("housekeeping blew up");
                errors++;
            }
        }
        assertThat(errors)
                .as("only the thread that ran the listener sees its error")
                .isEqualTo(1);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + settings.file());
                Statement s = c.createStatement();
                var r = s.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(3);
        }
        writer.close();
    }

    @Test
    void interruptedCallerWhoseWriteNoLeaderTookFailsAtOnceWithoutRunningIt() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        GroupCommitWriter writer = internals().writer();
        CountDownLatch release = hold(writer);
        AtomicInteger ran = new AtomicInteger();
        AtomicReference<Thread> caller = new AtomicReference<>();
        Future<Object> write = pool.submit(() -> {
            caller.set(Thread.currentThread());
            return writer.write(c -> ran.incrementAndGet());
        });
        Waiting.until("the write queued", () -> writer.queued() == 1);

        caller.get().interrupt();

        assertThatThrownBy(() -> write.get(Waiting.SECONDS, TimeUnit.SECONDS))
                .hasCauseInstanceOf(SQLException.class)
                .hasMessageContaining("interrupted while waiting for the writer");
        release.countDown();
        assertThat(writer.queued()).isZero();
        assertThat(ran).hasValue(0);
    }

    @Test
    void interruptedCallerWhoseWriteALeaderRunsWaitsWithoutSpinning() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        GroupCommitWriter writer = internals().writer();
        CountDownLatch release = hold(writer);
        CountDownLatch leaderRunning = new CountDownLatch(1);
        CountDownLatch leaderMayFinish = new CountDownLatch(1);
        Future<Object> leader = pool.submit(() -> writer.write(c -> {
            leaderRunning.countDown();
            Waiting.await(leaderMayFinish, "the test letting the leader finish");
            return "leader";
        }));
        Waiting.until("the leader's write queued", () -> writer.queued() == 1);
        AtomicReference<Thread> caller = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Future<Object> waiting = pool.submit(() -> {
            caller.set(Thread.currentThread());
            Object result = writer.write(c -> "mine");
            flagAfter.set(Thread.currentThread().isInterrupted());
            return result;
        });
        Waiting.until("the second write queued", () -> writer.queued() == 2);
        release.countDown();
        Waiting.await(leaderRunning, "the leader running its write");

        // Watch the interrupted caller for a second: parked, it wakes every 50 ms for microseconds; spinning (the
        // interrupt flag making every park return at once), it burns whatever CPU it gets, on a loaded machine still
        // hundreds of milliseconds a second.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getThreadCpuTime(caller.get().getId());
        long wallBefore = System.nanoTime();
        caller.get().interrupt();
        Thread.sleep(1_000);
        long cpuMs = (threads.getThreadCpuTime(caller.get().getId()) - cpuBefore) / 1_000_000;
        long wallMs = (System.nanoTime() - wallBefore) / 1_000_000;
        leaderMayFinish.countDown();

        assertThat(leader.get(Waiting.SECONDS, TimeUnit.SECONDS)).isEqualTo("leader");
        assertThat(waiting.get(Waiting.SECONDS, TimeUnit.SECONDS)).isEqualTo("mine");
        assertThat(cpuMs)
                .as("CPU the interrupted caller burnt while waiting %d ms", wallMs)
                .isLessThan(50);
        assertThat(flagAfter.get()).as("interrupt flag restored").isTrue();
    }

    @Test
    void readWaitingForABusyConnectionGivesUpAfterTheBusyTimeout() throws Exception {
        SQLiteSessionDataStore store = fixture.sqliteStore(NODE, "/app", SessionContext.NULL_VHOST, s -> {
            s.setMaxReaders(1);
            s.setBusyTimeoutMs(1_200);
        });
        CountDownLatch finish = occupyTheOnlyReader(store);

        long begin = System.nanoTime();
        Future<Object> load = pool.submit(() -> store.load("s1"));
        assertThatThrownBy(() -> load.get(Waiting.SECONDS, TimeUnit.SECONDS))
                .hasMessageContaining(fixture.file().toString())
                .hasMessageContaining("no read connection came free within 1200 ms");
        // It waited the busy timeout, not less; that it gave up rather than waiting on, the message above says (a
        // read that waited on would fail the get instead, after a minute).
        assertThat((System.nanoTime() - begin) / 1_000_000).isGreaterThanOrEqualTo(1_200L);
        finish.countDown();
        assertThat(store.load("s1")).isNull();
    }

    @Test
    void stoppingTheStoreWakesReadsWaitingForAConnection() throws Exception {
        SQLiteSessionDataStore store = fixture.sqliteStore(NODE, "/app", SessionContext.NULL_VHOST, s -> {
            s.setMaxReaders(1);
            // Far past the test's own wait: only the stop can end this read in time.
            s.setBusyTimeoutMs(60 * 60_000);
        });
        CountDownLatch finish = occupyTheOnlyReader(store);
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<Object> waiter = pool.submit(() -> {
            waiterThread.set(Thread.currentThread());
            return store.load("s1");
        });
        Waiting.until(
                "the read waiting for the busy connection",
                () -> SQLiteInternals.queuedForAReadConnection(waiterThread.get()));
        // Only the store holds the database now, so stopping it closes the database.
        internals.close();
        internals = null;

        store.stop();

        // A read nobody woke would wait the busy timeout of an hour, and fail the get with a timeout instead.
        assertThatThrownBy(() -> waiter.get(Waiting.SECONDS, TimeUnit.SECONDS)).hasMessageContaining("closed");
        finish.countDown();
    }

    private CountDownLatch occupyTheOnlyReader(SQLiteSessionDataStore store) throws InterruptedException {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        pool.submit(() -> internals().database().read(c -> {
            reading.countDown();
            Waiting.await(finish, "the test letting the reader finish");
            return null;
        }));
        Waiting.await(reading, "the reader holding the only connection");
        return finish;
    }

    @Test
    void adminClosedTwiceAndAStoreThatFailedToStartLeaveTheSharedDatabaseToItsOwner() throws Exception {
        SQLiteSessionDataStore owner = fixture.store();
        StoreFixture.put(owner, StoreFixture.session(owner, "s1", System.currentTimeMillis() + HOUR, NODE));

        SessionDatabaseAdmin admin = SessionDatabaseAdmin.open(fixture.file(), "jetty_sessions");
        admin.close();
        admin.close();
        SQLiteSessionDataStore failing = new SQLiteSessionDataStore(new SQLiteSessionSettings(fixture.file()));
        failing.initialize(new StoreFixture.FixedSessionContext(NODE, "/other", SessionContext.NULL_VHOST));
        failing.addBean(new AbstractLifeCycle() {
            @Override
            protected void doStart() {
                throw new IllegalStateException("a child bean refuses to start");
            }
        });
        assertThatThrownBy(failing::start).hasMessageContaining("refuses to start");
        failing.stop();
        failing.stop();

        assertThat(owner.load("s1")).isNotNull();
        StoreFixture.put(owner, StoreFixture.session(owner, "s2", 0, NODE));
        owner.stop();
        // The owner was the last user: the file is closed, which removes its write-ahead log.
        assertThat(Files.exists(dir.resolve("sessions.db-wal"))).isFalse();
    }

    /** The database the fixture's stores share, joined once a store has opened it. */
    private SQLiteInternals internals() throws Exception {
        if (internals == null) {
            internals = SQLiteInternals.of(fixture.file());
        }
        return internals;
    }

    /** A real connection whose COMMIT and ROLLBACK fail as many times as the counters say. */
    /**
     * Wraps a real connection so that the next {@code commitFailures} commits and {@code rollbackFailures} rollbacks
     * fail with an I/O error. A commit is an explicit COMMIT, or the end of a write statement run on its own in
     * autocommit mode, which commits as it ends; either way a failed commit leaves nothing written.
     */
    private Connection withInjectedFaults(Connection real) {
        Connection connection = mock(Connection.class, delegatesTo(real));
        AtomicBoolean inTransaction = new AtomicBoolean();
        try {
            doAnswer(call -> {
                        String sql = call.getArgument(0);
                        PreparedStatement statement = real.prepareStatement(sql);
                        boolean writes =
                                sql.startsWith("INSERT") || sql.startsWith("UPDATE") || sql.startsWith("DELETE");
                        PreparedStatement faulty = mock(PreparedStatement.class, delegatesTo(statement));
                        doAnswer(execute -> {
                                    if (sql.startsWith("BEGIN")) {
                                        boolean result = countingLockWaits(statement::execute);
                                        inTransaction.set(true);
                                        return result;
                                    }
                                    boolean commits = "COMMIT".equals(sql) || (writes && !inTransaction.get());
                                    AtomicInteger failures =
                                            commits ? commitFailures : "ROLLBACK".equals(sql) ? rollbackFailures : null;
                                    if ("COMMIT".equals(sql) || "ROLLBACK".equals(sql)) {
                                        inTransaction.set(false);
                                    }
                                    if (failures != null && failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                                        throw new SQLiteException(
                                                "[SQLITE_IOERR] disk I/O error (injected)",
                                                SQLiteErrorCode.SQLITE_IOERR);
                                    }
                                    return commits ? countingLockWaits(statement::execute) : statement.execute();
                                })
                                .when(faulty)
                                .execute();
                        doAnswer(execute -> {
                                    if (writes
                                            && !inTransaction.get()
                                            && commitFailures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                                        throw new SQLiteException(
                                                "[SQLITE_IOERR] disk I/O error (injected)",
                                                SQLiteErrorCode.SQLITE_IOERR);
                                    }
                                    return writes && !inTransaction.get()
                                            ? countingLockWaits(statement::executeUpdate)
                                            : statement.executeUpdate();
                                })
                                .when(faulty)
                                .executeUpdate();
                        return faulty;
                    })
                    .when(connection)
                    .prepareStatement(anyString());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return connection;
    }

    /** Runs a statement that takes the write lock, counting it when the lock stayed taken past the busy timeout. */
    private <R> R countingLockWaits(Callable<R> statement) throws Exception {
        try {
            return statement.call();
        } catch (SQLException e) {
            if (SQLiteErrors.isLockWait(e)) {
                lockWaitsTimedOut.incrementAndGet();
            }
            throw e;
        }
    }

    private CountDownLatch hold(GroupCommitWriter writer) {
        return SQLiteInternals.hold(writer, pool);
    }
}
