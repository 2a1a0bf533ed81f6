package io.github.jettysqlite.sessions.postgresql.internal;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection that {@code LISTEN}s on the change channel, and the round trips that catch up with it: each round
 * trip (a {@code SELECT 1}) is answered only after the server has sent every notification committed before it began,
 * so a caller that waits for one begun after it asked has seen every change committed before it asked. Callers that
 * ask while a round trip is under way wait for it and share the next one.
 *
 * <p>A thread of its own connects (again after a failure, once a second) and catches up every {@value #KEEP_UP_MS}
 * ms when no request did, so that the server's queue of notifications for this node never grows while the node is
 * idle. Each connection is a new generation, never 0; while there is none, callers are told 0.
 */
final class ChangeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLChangeSignals.class);

    static final long KEEP_UP_MS = 500;
    private static final long RECONNECT_MS = 1_000;
    /** How long a round trip may take before the connection is given up: a caller waits at most about this. */
    private static final int ROUND_TRIP_TIMEOUT_MS = 5_000;

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
    private final Condition caughtUp = lock.newCondition();
    /** Round trips begun and finished; one at a time. Guarded by {@link #lock}. */
    private long begun;

    private long finished;
    private boolean underWay;
    /** The generation the last finished round trip caught up on, 0 when it failed. Guarded by {@link #lock}. */
    private long lastOutcome;

    /** Used only by the thread making the round trip (one at a time) and by {@link #close}. */
    private Connection connection;

    private volatile long generation;
    private volatile long lastCaughtUpNanos;
    private volatile boolean closed;
    private volatile boolean warned;
    private volatile ScheduledExecutorService keeper;
    /** When the keeping thread may try to connect again. Used only by it. */
    private long nextConnectNanos;

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
     * no connection or the round trip failed (then nothing is known, and the caller reads the row).
     */
    long caughtUp() {
        start();
        if (generation == 0) {
            return 0;
        }
        lock.lock();
        try {
            long needed = begun + 1;
            while (finished < needed) {
                if (underWay) {
                    caughtUp.awaitUninterruptibly();
                    continue;
                }
                underWay = true;
                long mine = ++begun;
                long outcome = 0;
                lock.unlock();
                try {
                    outcome = roundTrip(false);
                } finally {
                    lock.lock();
                    underWay = false;
                    finished = mine;
                    lastOutcome = outcome;
                    caughtUp.signalAll();
                }
            }
            return lastOutcome;
        } finally {
            lock.unlock();
        }
    }

    /** Starts the keeping thread on first use: a process that never checks a cached copy needs no listener. */
    private void start() {
        if (keeper != null || closed) {
            return;
        }
        synchronized (this) {
            if (keeper == null && !closed) {
                keeper = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "jetty-sessions-changes " + location);
                    t.setDaemon(true);
                    return t;
                });
                keeper.scheduleWithFixedDelay(this::keepUp, 0, KEEP_UP_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** On the keeping thread: connects when there is no connection, else catches up if no caller did lately. */
    private void keepUp() {
        if (closed) {
            return;
        }
        if (generation == 0) {
            if (System.nanoTime() - nextConnectNanos < 0) {
                return;
            }
            lock.lock();
            try {
                if (underWay) {
                    return;
                }
                underWay = true;
            } finally {
                lock.unlock();
            }
            try {
                if (roundTrip(true) == 0) {
                    nextConnectNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECONNECT_MS);
                }
            } finally {
                lock.lock();
                underWay = false;
                caughtUp.signalAll();
                lock.unlock();
            }
            return;
        }
        if (System.nanoTime() - lastCaughtUpNanos > TimeUnit.MILLISECONDS.toNanos(KEEP_UP_MS)) {
            caughtUp();
        }
    }

    /** One round trip on the connection, connecting first if allowed; the generation caught up on, or 0. */
    private long roundTrip(boolean mayConnect) {
        try {
            if (connection == null) {
                if (!mayConnect || closed) {
                    return 0;
                }
                connect();
            }
            try (Statement ping = connection.createStatement()) {
                ping.execute("SELECT 1");
            }
            PGNotification[] notifications =
                    connection.unwrap(PGConnection.class).getNotifications();
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    onNotification.accept(notification.getParameter());
                }
            }
            lastCaughtUpNanos = System.nanoTime();
            return generation;
        } catch (SQLException | RuntimeException e) {
            lost(e);
            return 0;
        }
    }

    private void connect() throws SQLException {
        Connection opened = connector.connect();
        try {
            opened.setAutoCommit(true);
            opened.setNetworkTimeout(Runnable::run, ROUND_TRIP_TIMEOUT_MS);
            try (Statement listen = opened.createStatement()) {
                // The channel is a constant of this class, not input.
                listen.execute("LISTEN " + channel);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        connection = opened;
        long next;
        do {
            next = random.nextLong();
        } while (next == 0);
        generation = next;
        if (warned) {
            LOG.info("Listening for other nodes' session changes on {} again", location);
            warned = false;
        }
    }

    /** Forgets the connection and its generation: every copy trusted on it is read again. */
    private void lost(Exception cause) {
        generation = 0;
        Connection broken = connection;
        connection = null;
        if (broken != null) {
            closeQuietly(broken);
        }
        if (!warned && !closed) {
            warned = true;
            LOG.warn(
                    "Cannot listen for other nodes' session changes on {} ({}); coherent caches read every session's"
                            + " row until it can",
                    location,
                    cause.toString());
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // already broken; nothing more to give back
        }
    }

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
        lock.lock();
        try {
            while (underWay) {
                caughtUp.awaitUninterruptibly();
            }
            generation = 0;
            if (connection != null) {
                closeQuietly(connection);
                connection = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
