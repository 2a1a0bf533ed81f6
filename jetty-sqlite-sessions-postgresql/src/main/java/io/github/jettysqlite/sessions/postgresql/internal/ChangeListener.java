package io.github.jettysqlite.sessions.postgresql.internal;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection that {@code LISTEN}s on the change channel, and the round trips that catch up with it: each round
 * trip is answered only after the server has sent every notification committed before it began, so a caller that
 * waits for one begun after it asked has seen every change committed before it asked. Callers that ask while a round
 * trip is under way wait for it and share the next one.
 *
 * <p>Each round trip also asks for the server process behind the connection, which must be the one that listens: a
 * pooler that hands each statement to another server connection (PgBouncer in transaction mode) would let the round
 * trips succeed while the notifications go elsewhere, so there the connection is given up and no mark is given.
 *
 * <p>A thread of its own connects (again after a failure, waiting longer each time up to {@value #MAX_RECONNECT_MS}
 * ms) and catches up every {@value #KEEP_UP_MS} ms when no request did, so that the server's queue of notifications
 * for this node never grows while the node is idle. Each connection is a new generation, never 0; while there is
 * none, callers are told 0. A round trip that has not ended in {@value #ROUND_TRIP_TIMEOUT_MS} ms has its connection
 * aborted, by the next caller whose wait runs out or by a watch every {@value #KEEP_UP_MS} ms on a second thread.
 */
final class ChangeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLChangeSignals.class);

    static final long KEEP_UP_MS = 500;
    private static final long FIRST_RECONNECT_MS = 1_000;
    private static final long MAX_RECONNECT_MS = 30_000;
    /**
     * How long a round trip may take before the connection is given up: a caller waits at most about this, and then
     * reads the row, which is never slower than waiting longer.
     */
    static final int ROUND_TRIP_TIMEOUT_MS = 1_000;

    /** Opens the listening connection: not one of the pool's, which it would hold for good. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final String channel;
    private final Consumer<String> onNotification;
    private final String location;
    private final SecureRandom random = new SecureRandom();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundTripEnded = lock.newCondition();
    /** Round trips begun and finished; one at a time. Guarded by {@link #lock}. */
    private long begun;

    private long finished;
    private boolean underWay;
    /** When the round trip under way began (System.nanoTime). Guarded by {@link #lock}. */
    private long underWaySince;
    /** The generation the last finished round trip caught up on, 0 when it failed. Guarded by {@link #lock}. */
    private long lastOutcome;

    /** Set and used under {@link #underWay} (or the lock with none under way); null while there is none. */
    private Listening listening;

    private volatile long generation;
    private volatile long lastCaughtUpNanos = System.nanoTime();
    private volatile boolean closed;
    /** Set for good when the connection proved to reach another server process than the one listening. */
    private volatile boolean pooled;

    private volatile boolean warned;
    private volatile ScheduledExecutorService keeper;
    /** Used only by {@link #keepUp}, which never runs twice at once (on either of the keeper's threads). */
    private long nextConnectNanos = System.nanoTime();

    private long reconnectMs = FIRST_RECONNECT_MS;

    ChangeListener(Connector connector, String channel, Consumer<String> onNotification, String location) {
        this.connector = connector;
        this.channel = channel;
        this.onNotification = onNotification;
        this.location = location;
    }

    /** The current connection's generation, or 0 when there is none. */
    long generation() {
        return generation;
    }

    /**
     * Waits for a round trip begun after this call, and returns the generation it caught up on, or 0 when there is
     * no connection, the round trip failed or took too long (then nothing is known, and the caller reads the row).
     */
    long caughtUp() {
        start();
        if (generation == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROUND_TRIP_TIMEOUT_MS);
        try {
            if (!lock.tryLock(ROUND_TRIP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        try {
            long needed = begun + 1;
            while (finished < needed) {
                if (underWay) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        abortIfStuck();
                        return 0;
                    }
                    try {
                        roundTripEnded.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return 0;
                    }
                    continue;
                }
                underWay = true;
                underWaySince = System.nanoTime();
                long mine = ++begun;
                long outcome = 0;
                lock.unlock();
                try {
                    outcome = roundTrip();
                } finally {
                    lock.lock();
                    underWay = false;
                    finished = mine;
                    lastOutcome = outcome;
                    roundTripEnded.signalAll();
                }
            }
            return lastOutcome;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Aborts the connection of a round trip under way for longer than {@value #ROUND_TRIP_TIMEOUT_MS} ms; the caller
     * holds the lock and has waited for it that long. The read timeout cannot end such a round trip when the server
     * never stops sending: anyone who may connect to the database can {@code NOTIFY} on the channel without pause,
     * and the driver then reads, and keeps in memory, notification after notification ahead of the answer. Aborted,
     * the round trip fails, its thread (a request's) goes on to read its row, the driver's collected notifications
     * go with the connection, and the keeping thread connects again. A caller looks when its wait runs out, and a
     * watch looks every {@value #KEEP_UP_MS} ms, also when the stuck round trip is the keeping thread's own.
     */
    private void abortIfStuck() {
        if (listening != null
                && System.nanoTime() - underWaySince > TimeUnit.MILLISECONDS.toNanos(ROUND_TRIP_TIMEOUT_MS)) {
            LOG.debug(
                    "A round trip on {} has not ended in {} ms; aborting its connection",
                    location,
                    ROUND_TRIP_TIMEOUT_MS);
            // The generation stays until the next round trip fails on the aborted connection and gives it up (see
            // lost): the round trip under way may still finish after this, having answered just before, and then
            // nothing else would clear the connection for a new one to be made.
            listening.abort();
        }
    }

    /** The watch: a look for a stuck round trip (see {@link #abortIfStuck}), on a thread that never waits for one. */
    private void watch() {
        try {
            lock.lock();
            try {
                if (underWay) {
                    abortIfStuck();
                }
            } finally {
                lock.unlock();
            }
        } catch (Throwable e) {
            LOG.debug("Watching round trips on {} failed", location, e);
        }
    }

    /** Starts the keeping thread on first use: a process that never checks a cached copy needs no listener. */
    void start() {
        if (keeper != null || closed) {
            return;
        }
        synchronized (this) {
            if (keeper == null && !closed) {
                // Two threads: the watch must look while the keeping thread's own round trip is the stuck one.
                ScheduledExecutorService k = Executors.newScheduledThreadPool(2, r -> {
                    Thread t = new Thread(r, "jetty-sessions-changes " + location);
                    t.setDaemon(true);
                    // Not the class loader of the web application whose request happened to start it: the database
                    // is shared by every context, and outlives any one of them.
                    t.setContextClassLoader(ChangeListener.class.getClassLoader());
                    return t;
                });
                k.scheduleWithFixedDelay(this::keepUp, 0, KEEP_UP_MS, TimeUnit.MILLISECONDS);
                k.scheduleWithFixedDelay(this::watch, KEEP_UP_MS, KEEP_UP_MS, TimeUnit.MILLISECONDS);
                keeper = k;
            }
        }
    }

    /** On the keeping thread: connects when there is no connection, else catches up if no caller did lately. */
    private void keepUp() {
        try {
            if (closed || pooled) {
                return;
            }
            if (generation == 0) {
                if (System.nanoTime() - nextConnectNanos >= 0) {
                    connectOrWait();
                }
            } else if (System.nanoTime() - lastCaughtUpNanos > TimeUnit.MILLISECONDS.toNanos(KEEP_UP_MS)) {
                caughtUp();
            }
        } catch (Throwable e) {
            // Whatever it was, the thread must keep running, or an idle node would stop draining its notifications.
            LOG.debug("Keeping up with {} failed", location, e);
        }
    }

    /**
     * Connects without holding anything a caller waits on (a connection can take long to fail), then installs the
     * connection as a new generation when no round trip is under way.
     */
    private void connectOrWait() {
        Listening opened;
        try {
            opened = connect();
        } catch (SQLException | RuntimeException | LinkageError e) {
            warn(e);
            nextConnectNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reconnectMs);
            reconnectMs = Math.min(reconnectMs * 2, MAX_RECONNECT_MS);
            return;
        }
        boolean installed = false;
        lock.lock();
        try {
            if (!closed && !underWay && listening == null) {
                installed = true;
                listening = opened;
                lastCaughtUpNanos = System.nanoTime();
                long next;
                do {
                    next = random.nextLong();
                } while (next == 0);
                generation = next;
            }
        } finally {
            lock.unlock();
        }
        if (!installed) {
            Listening.giveBack(opened.connection());
            return;
        }
        reconnectMs = FIRST_RECONNECT_MS;
        if (warned) {
            warned = false;
            LOG.info("Listening for other nodes' session changes on {} again", location);
        }
    }

    private Listening connect() throws SQLException {
        return Listening.on(connector.connect(), channel, ROUND_TRIP_TIMEOUT_MS);
    }

    /** One round trip on the connection; the generation caught up on, or 0. Runs with {@link #underWay} set. */
    private long roundTrip() {
        Listening current = listening;
        if (current == null || closed) {
            return 0;
        }
        try {
            for (PGNotification notification : current.roundTrip()) {
                onNotification.accept(notification.getParameter());
            }
            if (closed) {
                // Closed while this round trip ran: nobody else gives the connection back now.
                lost(current, new SQLException("closed"));
                return 0;
            }
            lastCaughtUpNanos = System.nanoTime();
            return generation;
        } catch (Throwable e) {
            if (e instanceof Listening.ReachesAnotherServerProcess) {
                pooled = true;
            }
            // Notifications taken from the driver and not all counted are lost with this generation too.
            lost(current, e);
            return 0;
        }
    }

    /** Forgets the connection and its generation: every copy trusted on it is read again. */
    private void lost(Listening broken, Throwable cause) {
        lock.lock();
        try {
            generation = 0;
            listening = null;
        } finally {
            lock.unlock();
        }
        broken.abort();
        warn(cause);
    }

    private void warn(Throwable cause) {
        if (!warned && !closed) {
            warned = true;
            LOG.warn(
                    "Cannot listen for other nodes' session changes on {} ({}); coherent caches read every session's"
                            + " row until it can",
                    location,
                    describe(cause));
        }
    }

    /** The driver's words (PostgreSQL's messages name no credentials) and the SQLSTATE. */
    private static String describe(Throwable cause) {
        String state = cause instanceof SQLException sql && sql.getSQLState() != null ? " " + sql.getSQLState() : "";
        return cause.getClass().getSimpleName() + state + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /**
     * Stops the keeping thread and gives the connection back without waiting for a round trip under way: that one
     * fails on the closed connection, and its callers read their rows.
     */
    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService k;
        synchronized (this) {
            k = keeper;
        }
        if (k != null) {
            k.shutdownNow();
        }
        Listening idle = null;
        lock.lock();
        try {
            generation = 0;
            if (!underWay) {
                idle = listening;
                listening = null;
            } else if (listening != null) {
                // The round trip under way fails on it and gives it up (see lost); it is still this listener's.
                listening.abort();
            }
        } finally {
            lock.unlock();
        }
        if (idle != null) {
            Listening.giveBack(idle.connection());
        }
    }
}
