package io.github.jettysqlite.sessions.postgresql.internal;

import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second connection that {@code LISTEN}s on the change channel, with a thread that waits on its socket and hands
 * over each notification the moment it arrives. It lets a node learn that another node changed a session before any
 * request asks: a request whose copy is known to be stale then reads its row at once, instead of first waiting for a
 * round trip on {@link ChangeListener}'s connection only to learn the same. It never makes a copy usable: only that
 * round trip proves that nothing committed before a request was missed, as a notification on this connection can
 * arrive after it (the two connections receive every notification, each in its own time; {@link
 * NotificationSightings} counts each once).
 *
 * <p>Nothing depends on it: while it cannot connect it tries again, waiting longer each time up to {@value
 * #MAX_RECONNECT_MS} ms, and meanwhile requests only learn of changes through round trips, as without it. It holds a
 * connection for good, so it runs only on connections the store opens itself, never on an application's pool.
 */
final class NotificationWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLChangeSignals.class);

    /** How long one wait on the socket lasts before the thread looks whether it was closed. */
    static final int WAIT_MS = 500;

    private static final long FIRST_RECONNECT_MS = 1_000;
    private static final long MAX_RECONNECT_MS = 30_000;

    private final ChangeListener.Connector connector;
    private final String channel;
    private final Consumer<String> onNotification;
    private final String location;

    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean started;
    private volatile Listening listening;
    private volatile Thread thread;

    NotificationWatch(
            ChangeListener.Connector connector, String channel, Consumer<String> onNotification, String location) {
        this.connector = connector;
        this.channel = channel;
        this.onNotification = onNotification;
        this.location = location;
    }

    /** Starts the thread on first use, as the listener starts its own. */
    void start() {
        if (started || closing.getCount() == 0) {
            return;
        }
        synchronized (this) {
            if (started || closing.getCount() == 0) {
                return;
            }
            Thread t = new Thread(this::run, "jetty-sessions-notifications " + location);
            t.setDaemon(true);
            // Not the class loader of the web application whose request started it (see ChangeListener.start).
            t.setContextClassLoader(NotificationWatch.class.getClassLoader());
            thread = t;
            started = true;
            t.start();
        }
    }

    private void run() {
        long reconnectMs = FIRST_RECONNECT_MS;
        while (closing.getCount() > 0) {
            Listening current;
            try {
                current = Listening.on(connector.connect(), channel, ChangeListener.ROUND_TRIP_TIMEOUT_MS);
            } catch (SQLException | RuntimeException | LinkageError e) {
                LOG.debug("Cannot watch for other nodes' session changes on {}", location, e);
                if (awaitClose(reconnectMs)) {
                    return;
                }
                reconnectMs = Math.min(reconnectMs * 2, MAX_RECONNECT_MS);
                continue;
            }
            listening = current;
            reconnectMs = FIRST_RECONNECT_MS;
            try {
                // A close that came while it connected found no connection to abort: this one goes in the finally.
                PGConnection driver = current.connection().unwrap(PGConnection.class);
                while (closing.getCount() > 0) {
                    PGNotification[] received = driver.getNotifications(WAIT_MS);
                    if (received != null) {
                        for (PGNotification notification : received) {
                            onNotification.accept(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closing.getCount() > 0) {
                    LOG.debug("Watching for other nodes' session changes on {} failed; connecting again", location, e);
                }
            } finally {
                listening = null;
                current.abort();
            }
        }
    }

    /** Waits for a close for up to the given time; true when closed. */
    private boolean awaitClose(long ms) {
        try {
            return closing.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return closing.getCount() == 0;
        }
    }

    /** Whether the thread is connected and waiting for notifications, for tests. */
    boolean watching() {
        return listening != null;
    }

    /** Stops the thread: its connection is aborted, which ends a wait on the socket at once. */
    @Override
    public void close() {
        closing.countDown();
        Listening current = listening;
        if (current != null) {
            current.abort();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
