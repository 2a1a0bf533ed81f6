package io.github.jettysqlite.sessions.postgresql.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends the notifications of committed writes, several in one statement when several writers are waiting. One
 * statement is on its way at a time. A writer that finds none on its way sends its own at once, on its own connection;
 * one that finds one waits for it to end, and then either finds its notification sent by a writer that came before it,
 * or sends its own together with every one that queued meanwhile.
 *
 * <p>Why: a PostgreSQL transaction that notifies holds the server's one notification lock through its commit, so
 * notifications sent one per write commit one at a time, each a transaction of its own that the server's other work
 * waits on. Batched, writers under load pay one such transaction among many, and a writer alone pays what it did.
 *
 * <p>A writer returns only once a statement carrying its notification has committed (or failed, which it is told of),
 * so a request answers only after other nodes can know of its change. A writer that has waited too long for another's
 * statement sends its own alone.
 *
 * <p>The queue is a lock and a condition rather than a monitor: a virtual thread waiting for its turn then does not
 * pin its carrier (it would on Java 21 to 23), so writers queued behind a slow statement cannot take every carrier
 * from the node's other virtual threads.
 */
final class NotificationCombiner {
    /** Sends payloads in one statement on a connection. */
    interface Sender {
        void send(Connection connection, List<String> payloads) throws SQLException;
    }

    /** One writer's notification, and what became of it. */
    private static final class Ticket {
        final String payload;
        boolean done;
        SQLException failure;
        /** Interrupted while waiting: the flag is set again once the writer is done, not before it sends. */
        boolean interrupted;

        Ticket(String payload) {
            this.payload = payload;
        }
    }

    private final Sender sender;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a statement on its way has answered. */
    private final Condition answered = lock.newCondition();

    private List<Ticket> queued = new ArrayList<>();
    private boolean sending;
    /** When the statement on its way was sent (System.nanoTime). */
    private long sendingSince;

    private final AtomicLong statements = new AtomicLong();

    NotificationCombiner(Sender sender) {
        this.sender = sender;
    }

    /**
     * Returns once the payload has been sent and committed, by this writer or another.
     *
     * @param connection this writer's connection, in autocommit, used only if this writer sends
     * @param waitMs how long to wait for another writer's statement before sending this one's alone: a statement on a
     *     connection that hangs (a half-open socket after a failover) must not hold up every write of the node
     * @throws SQLException when the statement carrying the payload failed (the payload may not have been sent)
     */
    void announce(Connection connection, String payload, long waitMs) throws SQLException {
        Ticket mine = new Ticket(payload);
        try {
            announce(connection, mine, waitMs);
        } finally {
            if (mine.interrupted) {
                // Set again only now: with the flag set, a virtual thread's socket I/O would close the connection.
                Thread.currentThread().interrupt();
            }
        }
    }

    private void announce(Connection connection, Ticket mine, long waitMs) throws SQLException {
        List<Ticket> batch;
        lock.lock();
        try {
            queued.add(mine);
            if (!waitForTurn(mine, waitMs)) {
                // Still queued or on its way in a statement that has not answered: sent alone, which at worst
                // announces the change twice (a cache then reads its row once more).
                queued.remove(mine);
                batch = null;
            } else if (mine.done) {
                if (mine.failure != null) {
                    throw new SQLException(
                            "the notification was sent with other writes' and failed: " + mine.failure.getMessage(),
                            mine.failure.getSQLState(),
                            mine.failure);
                }
                return;
            } else {
                batch = queued;
                queued = new ArrayList<>();
                sendingSince = System.nanoTime();
                sending = true;
            }
        } finally {
            lock.unlock();
        }
        if (batch == null) {
            statements.incrementAndGet();
            sender.send(connection, List.of(mine.payload));
            return;
        }
        SQLException failure = null;
        boolean sent = false;
        try {
            // Two writes of one slot on this node send one notification: PostgreSQL would fold them into one anyway.
            Set<String> payloads = new LinkedHashSet<>();
            for (Ticket ticket : batch) {
                payloads.add(ticket.payload);
            }
            statements.incrementAndGet();
            sender.send(connection, List.copyOf(payloads));
            sent = true;
        } catch (SQLException e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            // Told as an SQLException, so that the caller sends it once more elsewhere, as after any failed send.
            failure = new SQLException("sending notifications failed: " + e, e);
            throw failure;
        } finally {
            if (!sent && failure == null) {
                // An Error on its way up: the writers carried must not take their notifications for sent.
                failure = new SQLException("sending notifications failed");
            }
            lock.lock();
            try {
                for (Ticket ticket : batch) {
                    ticket.done = true;
                    ticket.failure = ticket == mine ? null : failure;
                }
                sending = false;
                answered.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits, holding the lock, until no statement is on its way or one carrying this ticket has answered; at most
     * {@code waitMs}, and not at all once the statement on its way has been for that long (a hanging statement then
     * costs later writers nothing). Not cut short by an interrupt, as the write it announces has committed and
     * answering before its notification would let another node serve a stale copy.
     *
     * @return false when the wait ran out first
     */
    private boolean waitForTurn(Ticket mine, long waitMs) {
        long wait = TimeUnit.MILLISECONDS.toNanos(waitMs);
        long mineUntil = System.nanoTime() + wait;
        while (sending && !mine.done) {
            long now = System.nanoTime();
            long left = Math.min(mineUntil - now, sendingSince + wait - now);
            if (left <= 0) {
                return false;
            }
            try {
                answered.awaitNanos(left);
            } catch (InterruptedException e) {
                mine.interrupted = true;
            }
        }
        return true;
    }

    /** Statements sent so far (for tests: fewer than the writes announced when writers queued). */
    long statements() {
        return statements.get();
    }

    /** Writers waiting for a statement to carry their notification (for tests). */
    int queued() {
        lock.lock();
        try {
            return queued.size();
        } finally {
            lock.unlock();
        }
    }
}
