package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.support.Waiting;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read connections of a file: a thread reads again on the connection it used last, a read waits for a free one
 * and no longer than its bound, and a connection whose work failed is closed, never lent again.
 */
class ReaderPoolTest {
    private final List<CachedConnection> openedConnections = new ArrayList<>();
    private final ReaderPool pool = new ReaderPool(this::open, 2, 1_000);

    @AfterEach
    void closePool() {
        pool.close();
    }

    private CachedConnection open() throws SQLException {
        CachedConnection connection = new CachedConnection(DriverManager.getConnection("jdbc:sqlite::memory:"));
        openedConnections.add(connection);
        return connection;
    }

    @Test
    void aHealthyConnectionIsLentAgain() throws Exception {
        pool.read(c -> c.prepare("SELECT 1").executeQuery().next());
        pool.read(c -> c.prepare("SELECT 1").executeQuery().next());

        assertThat(openedConnections).hasSize(1);
        assertThat(pool.opened()).isEqualTo(1);
    }

    @Test
    void aConnectionWhoseWorkFailedIsClosedAndReplaced() throws Exception {
        assertThatThrownBy(() ->
                        pool.read(c -> c.prepare("SELECT * FROM no_such_table").executeQuery()))
                .isInstanceOf(SQLException.class);

        pool.read(c -> c.prepare("SELECT 1").executeQuery().next());

        assertThat(openedConnections).hasSize(2);
        assertThat(openedConnections.get(0).connection().isClosed()).isTrue();
        assertThat(pool.opened()).as("the failed one no longer counts").isEqualTo(1);
    }

    @Test
    void aFailedReadGivesItsPermitBack() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> pool.read(c -> {
                        throw new IllegalStateException("work failed");
                    }))
                    .hasMessage("work failed");
        }

        int seven = pool.read(c -> {
            var row = c.prepare("SELECT 7").executeQuery();
            row.next();
            return row.getInt(1);
        });
        assertThat(seven).isEqualTo(7);
    }

    @Test
    void aThreadReadsAgainOnTheConnectionItUsedLast() throws Exception {
        ExecutorService a = Executors.newSingleThreadExecutor();
        ExecutorService b = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch aHolds = new CountDownLatch(1);
            CountDownLatch bDone = new CountDownLatch(1);
            Future<CachedConnection> aFirst = a.submit(() -> pool.read(c -> {
                aHolds.countDown();
                Waiting.await(bDone, "b's read");
                return c;
            }));
            Waiting.await(aHolds, "a holding a connection");
            CachedConnection bFirst = b.submit(() -> pool.read(c -> c)).get();
            bDone.countDown();
            assertThat(aFirst.get()).isNotSameAs(bFirst);

            // b gave its connection back first: a connection handed out in the order they came back would go to a.
            assertThat(a.submit(() -> pool.read(c -> c)).get()).isSameAs(aFirst.get());
            assertThat(b.submit(() -> pool.read(c -> c)).get()).isSameAs(bFirst);
            assertThat(pool.opened()).isEqualTo(2);
        } finally {
            a.shutdownNow();
            b.shutdownNow();
        }
    }

    @Test
    void aReadThatFindsEveryConnectionBusyWaitsForOneAndRunsOnIt() throws Exception {
        ReaderPool one = new ReaderPool(this::open, 1, Waiting.SECONDS * 1000);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch holds = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            AtomicBoolean holderDone = new AtomicBoolean();
            Future<CachedConnection> holder = threads.submit(() -> one.read(c -> {
                holds.countDown();
                Waiting.await(letGo, "the test letting the holder go");
                holderDone.set(true);
                return c;
            }));
            Waiting.await(holds, "the holder holding the one connection");
            AtomicReference<Thread> waiterThread = new AtomicReference<>();
            Future<Boolean> waiter = threads.submit(() -> {
                waiterThread.set(Thread.currentThread());
                return one.read(c -> holderDone.get());
            });
            Waiting.until(
                    "the second read waiting", () -> SQLiteInternals.queuedForAReadConnection(waiterThread.get()));
            letGo.countDown();

            assertThat(waiter.get()).as("ran only once the holder was done").isTrue();
            assertThat(holder.get()).isNotNull();
            assertThat(openedConnections).hasSize(1);
        } finally {
            threads.shutdownNow();
            one.close();
        }
    }

    @Test
    void aReadGivesUpWhenNoConnectionComesFreeWithinItsWaitAndClosingWakesEveryWaiter() throws Exception {
        ReaderPool one = new ReaderPool(this::open, 1, 50);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch holds = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        try {
            Future<Boolean> holder = threads.submit(() -> one.read(c -> {
                holds.countDown();
                Waiting.await(letGo, "the test letting the holder go");
                return true;
            }));
            Waiting.await(holds, "the holder holding the one connection");

            assertThatThrownBy(() -> one.read(c -> true))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("no read connection came free within 50 ms");

            ReaderPool patient = new ReaderPool(this::open, 1, Waiting.SECONDS * 1000);
            CountDownLatch patientHolds = new CountDownLatch(1);
            Future<Boolean> patientHolder = threads.submit(() -> patient.read(c -> {
                patientHolds.countDown();
                Waiting.await(letGo, "the test letting the holder go");
                return true;
            }));
            Waiting.await(patientHolds, "a holder of the patient pool's one connection");
            AtomicReference<Thread> waiterThread = new AtomicReference<>();
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                waiterThread.set(Thread.currentThread());
                try {
                    return patient.read(c -> true);
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
            Waiting.until("the read waiting", () -> SQLiteInternals.queuedForAReadConnection(waiterThread.get()));
            patient.close();
            assertThatThrownBy(waiter::join).hasMessageContaining("closed");

            letGo.countDown();
            assertThat(holder.get()).isTrue();
            assertThat(patientHolder.get()).isTrue();
            assertThat(patient.opened())
                    .as("the holder's connection closed as it came back")
                    .isZero();
        } finally {
            letGo.countDown();
            threads.shutdownNow();
            one.close();
        }
    }

    @Test
    void aConnectionGivenBackGoesToAReadQueuedPastTheHandOverTimeNotToAThreadThatReadsAgain() throws Exception {
        // Every queued read has waited past a hand-over time of 0 by the time the connection comes back.
        ReaderPool one = new ReaderPool(this::open, 1, Waiting.SECONDS * 1000, 0);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            // Several rounds: a pool that let the freed connection go to whichever thread came first would lose some
            // of them to the thread reading again, whose path to the connection is shorter than a waiter's wake-up.
            for (int round = 0; round < 20; round++) {
                List<String> order = Collections.synchronizedList(new ArrayList<>());
                CountDownLatch holds = new CountDownLatch(1);
                CountDownLatch letGo = new CountDownLatch(1);
                Future<?> reader = threads.submit(() -> {
                    one.read(c -> {
                        holds.countDown();
                        Waiting.await(letGo, "the test letting the first read go");
                        return null;
                    });
                    // Straight back for more, as a busy thread does: its connection is free, but a read queued for it.
                    return one.read(c -> order.add("the thread reading again"));
                });
                Waiting.await(holds, "the first read holding the one connection");
                AtomicReference<Thread> queuedThread = new AtomicReference<>();
                Future<Boolean> queued = threads.submit(() -> {
                    queuedThread.set(Thread.currentThread());
                    return one.read(c -> order.add("the queued read"));
                });
                Waiting.until("the read queueing", () -> SQLiteInternals.queuedForAReadConnection(queuedThread.get()));
                letGo.countDown();

                reader.get();
                queued.get();
                assertThat(order).as("round " + round).containsExactly("the queued read", "the thread reading again");
            }
        } finally {
            threads.shutdownNow();
            one.close();
        }
    }

    @Test
    void aConnectionHandedToAReadAsItIsInterruptedGoesBackToThePool() throws Exception {
        // Hand-over at once, so that the connection given back goes to the queued read, not to the free list.
        ReaderPool one = new ReaderPool(this::open, 1, Waiting.SECONDS * 1000, 0);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch letGo = new CountDownLatch(1);
        try {
            Reader holder = holdTheOnlyConnection(threads, one, letGo);
            Reader queued = queueARead(threads, one, "the read");

            giveBackAndInterrupt(one, letGo, holder, queued);

            assertThat(holder.result().get()).isTrue();
            assertThatThrownBy(queued.result()::get)
                    .hasMessageContaining("interrupted while waiting for a read connection");
            // A pool that kept the slot with the read that failed would leave this one waiting out its wait.
            assertThat(threads.submit(() -> one.read(
                                    c -> c.prepare("SELECT 1").executeQuery().next()))
                            .get())
                    .isTrue();
            assertThat(one.opened()).isEqualTo(1);
        } finally {
            letGo.countDown();
            threads.shutdownNow();
            one.close();
        }
    }

    @Test
    void aQueuedReadThatLeavesWithAWakeUpItDidNotUsePassesItOn() throws Exception {
        // Never a hand-over: a connection given back is freed, and only a wake-up brings a queued read to it (or the
        // end of its wait, an hour, long past the test's own).
        long hourMs = 3_600_000;
        ReaderPool one = new ReaderPool(this::open, 1, hourMs, hourMs);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        CountDownLatch letGo = new CountDownLatch(1);
        try {
            Reader holder = holdTheOnlyConnection(threads, one, letGo);
            Reader first = queueARead(threads, one, "the first read");
            Reader second = queueARead(threads, one, "the second read");

            // The holder frees its connection and wakes the first read, which was interrupted and leaves without it.
            giveBackAndInterrupt(one, letGo, holder, first);

            assertThat(holder.result().get()).isTrue();
            assertThatThrownBy(first.result()::get)
                    .hasMessageContaining("interrupted while waiting for a read connection");
            // Nobody else gives a connection back: without the wake-up passed on, this read waits out its wait.
            assertThat(second.result().get(Waiting.SECONDS, TimeUnit.SECONDS)).isTrue();
        } finally {
            letGo.countDown();
            threads.shutdownNow();
            one.close();
        }
    }

    @Test
    void aReadHandedAConnectionAsThePoolClosesGivesItBackAndFails() throws Exception {
        // Hand-over at once, so that the connection given back goes straight to the queued read.
        ReaderPool one = new ReaderPool(this::open, 1, Waiting.SECONDS * 1000, 0);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        CountDownLatch letGo = new CountDownLatch(1);
        try {
            Reader holder = holdTheOnlyConnection(threads, one, letGo);
            Reader queued = queueARead(threads, one, "the read");

            // Ordered on the pool's lock: the holder hands its connection to the queued read while the pool closes.
            ReentrantLock lock = one.queueLock();
            AtomicReference<Thread> closer = new AtomicReference<>();
            Future<?> closing;
            lock.lock();
            try {
                letGo.countDown();
                Waiting.until(
                        "the holder handing its connection over",
                        () -> lock.hasQueuedThread(holder.thread().get()));
                closing = threads.submit(() -> {
                    closer.set(Thread.currentThread());
                    one.close();
                });
                Waiting.until("the pool closing", () -> closer.get() != null && lock.hasQueuedThread(closer.get()));
            } finally {
                lock.unlock();
            }
            closing.get();

            assertThat(holder.result().get()).isTrue();
            assertThatThrownBy(queued.result()::get)
                    .as("a read must not run on a connection of a closed pool")
                    .hasMessageContaining("closed");
            assertThat(one.opened()).as("the connection closed as it came back").isZero();
        } finally {
            letGo.countDown();
            threads.shutdownNow();
            one.close();
        }
    }

    /** A read on a thread of its own. */
    private record Reader(Future<Boolean> result, AtomicReference<Thread> thread) {}

    private Reader holdTheOnlyConnection(ExecutorService threads, ReaderPool pool, CountDownLatch letGo) {
        CountDownLatch holds = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<Boolean> result = threads.submit(() -> {
            thread.set(Thread.currentThread());
            return pool.read(c -> {
                holds.countDown();
                Waiting.await(letGo, "the test letting the holder go");
                return true;
            });
        });
        Waiting.await(holds, "the holder holding the one connection");
        return new Reader(result, thread);
    }

    private Reader queueARead(ExecutorService threads, ReaderPool pool, String what) throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<Boolean> result = threads.submit(() -> {
            thread.set(Thread.currentThread());
            return pool.read(c -> true);
        });
        Waiting.until(what + " queueing", () -> SQLiteInternals.queuedForAReadConnection(thread.get()));
        return new Reader(result, thread);
    }

    /**
     * Ordered on the pool's lock: the holder gives its connection back (and takes the lock to hand it over or wake a
     * read) before the interrupted read wakes.
     */
    private static void giveBackAndInterrupt(ReaderPool pool, CountDownLatch letGo, Reader holder, Reader interrupted)
            throws Exception {
        ReentrantLock lock = pool.queueLock();
        lock.lock();
        try {
            letGo.countDown();
            Waiting.until(
                    "the holder giving its connection back",
                    () -> lock.hasQueuedThread(holder.thread().get()));
            interrupted.thread().get().interrupt();
            Waiting.until(
                    "the interrupted read waking",
                    () -> lock.hasQueuedThread(interrupted.thread().get()));
        } finally {
            lock.unlock();
        }
    }

    @Test
    void aConnectionThatThrowsAsItClosesStillGivesItsSlotBack() throws Exception {
        ReaderPool one = new ReaderPool(this::openOneThatFailsToClose, 1, Waiting.SECONDS * 1000);
        try {
            assertThatThrownBy(() -> one.read(c -> {
                        throw new SQLException("work failed");
                    }))
                    .hasMessage("work failed");

            boolean read = one.read(c -> c.prepare("SELECT 1").executeQuery().next());
            assertThat(read)
                    .as("the slot came back although closing its connection threw")
                    .isTrue();
            assertThat(one.opened()).isEqualTo(1);
        } finally {
            one.close();
        }
    }

    @Test
    void aPoolSizeOutsideItsRangeIsRefused() {
        assertThatThrownBy(() -> new ReaderPool(this::open, 0, 1_000)).hasMessageContaining("1 to 1024");
        assertThatThrownBy(() -> new ReaderPool(this::open, Integer.MAX_VALUE, 1_000))
                .hasMessageContaining("not " + Integer.MAX_VALUE);
    }

    /** A connection whose close throws an unchecked exception, as a driver's bug or an interrupted close may. */
    private CachedConnection openOneThatFailsToClose() throws SQLException {
        Connection real = DriverManager.getConnection("jdbc:sqlite::memory:");
        Connection failing = (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        real.close();
                        throw new IllegalStateException("close failed");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        CachedConnection connection = new CachedConnection(failing);
        openedConnections.add(connection);
        return connection;
    }
}
