package io.github.jettysqlite.sessions;

import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read connections of a database file. Under WAL, readers never wait for the writer, so reads run in parallel on
 * as many connections as there are concurrent readers, up to a bound; each connection keeps its prepared
 * statements. Connections are opened on first demand and kept until the database closes.
 */
final class ReaderPool {
    /** Opens one more read connection. */
    @FunctionalInterface
    interface Opener {
        CachedConnection open() throws SQLException;
    }

    private final Opener opener;
    private final int max;
    private final BlockingQueue<CachedConnection> idle;
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean closed;

    ReaderPool(Opener opener, int max) {
        this.opener = opener;
        this.max = max;
        this.idle = new ArrayBlockingQueue<>(max);
    }

    <R> R read(SqlWork<R> work) throws SQLException {
        CachedConnection connection = acquire();
        try {
            return work.run(connection);
        } catch (SQLException | RuntimeException e) {
            connection.forgetStatements();
            throw e;
        } finally {
            release(connection);
        }
    }

    int opened() {
        return opened.get();
    }

    void close() {
        closed = true;
        CachedConnection connection;
        while ((connection = idle.poll()) != null) {
            closeQuietly(connection);
        }
    }

    private CachedConnection acquire() throws SQLException {
        if (closed) {
            throw new SQLException("the session database is closed");
        }
        CachedConnection connection = idle.poll();
        if (connection != null) {
            return connection;
        }
        if (opened.incrementAndGet() <= max) {
            try {
                return opener.open();
            } catch (SQLException | RuntimeException e) {
                opened.decrementAndGet();
                throw e;
            }
        }
        opened.decrementAndGet();
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a read connection", e);
        }
    }

    private void release(CachedConnection connection) {
        if (closed || !idle.offer(connection)) {
            closeQuietly(connection);
        }
    }

    private void closeQuietly(CachedConnection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing is best effort; the file stays consistent either way
        } finally {
            opened.decrementAndGet();
        }
    }
}
