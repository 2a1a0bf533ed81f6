package io.github.jettysqlite.sessions.postgresql.internal;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SessionScope;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@link ChangeSignals} of a PostgreSQL server, carried by {@code NOTIFY}: a write that changes what a cache would hold
 * sends a notification on {@value #CHANNEL} naming the session's slot, on its own connection (see {@link
 * PostgreSQLDatabase}). Each node counts, per slot of sessions and for all, the changes begun and ended by its own
 * threads and the changes other nodes announced.
 *
 * <p>Where the notification goes in the write is a trade. Inside the write's transaction it is delivered exactly when
 * the change commits; but a transaction that notifies holds the server's one lock for notifying transactions (taken
 * at commit, for every database of the server) until it reaches the disk, so announced writes of every node commit
 * one at a time. So a session's removal (a logout, an administrator's deletion, a sweep), rare and the change a cache
 * must never miss, notifies inside its transaction; other writes (attributes, a timeout) notify right after their
 * commit, on the same connection, in a statement that does not wait for the disk, before the request answers. If
 * that statement fails it is sent once more on another connection; the write stands either way (its change is in the
 * table), and if the notification is lost other nodes see the change within the second their caches trust a copy.
 *
 * <p>A notification reaches another node some time after it is sent, and a user's next request may reach that node
 * sooner. So a mark is given only once the node has caught up ({@link ChangeListener#caughtUp}): a round trip on the
 * listening connection that starts after the mark was asked for, before whose answer the server delivers every
 * notification committed before it. One round trip serves every request waiting at that moment, where reading each
 * session's row costs one each; {@link #markKnown} gives what the node knows without one.
 *
 * <p>While the listening connection is down, no mark is given (caches read every row); each connection is a new
 * generation, carried in the marks, so that no trust taken before a gap survives it. A change written by something
 * other than this library sends nothing; a cache bounds how long it trusts a copy for that reason.
 */
public final class PostgreSQLChangeSignals implements ChangeSignals, AutoCloseable {
    /** The channel every node of every table of one database listens on; the payload names the slot. */
    static final String CHANNEL = "jetty_sessions_changes";

    /** Slots for sessions; sessions sharing one only make each other's caches read more often. */
    static final int SLOTS = 4096;

    private static final int ALL = SLOTS;
    private static final String ALL_PAYLOAD = "all";

    /** Names this node in its notifications, so that it does not count its own changes twice. */
    private final String node = Long.toHexString(new SecureRandom().nextLong());

    private final AtomicLongArray begun = new AtomicLongArray(SLOTS + 1);
    private final AtomicLongArray ended = new AtomicLongArray(SLOTS + 1);
    private final ChangeListener listener;

    /**
     * The notification a write on this thread must send: the change this thread has begun and not ended.
     *
     * @param inTransaction whether it goes inside the write's transaction rather than right after its commit
     */
    record Pending(String payload, boolean inTransaction) {}

    private final ThreadLocal<Pending> pending = new ThreadLocal<>();

    /** Inside a write's transaction, committing as it does. */
    private static final String NOTIFY_WITHIN = "SELECT pg_notify(?, ?)";

    /**
     * After a write committed: without waiting for the disk, as what it announces is in the table already, and a
     * notification lost in a crash only leaves other nodes' caches trusting a copy for the second they may anyway.
     */
    private static final String NOTIFY_AFTER = "SELECT set_config('synchronous_commit', 'off', true), pg_notify(?, ?)";

    PostgreSQLChangeSignals(ChangeListener.Connector connector, String location) {
        this.listener = new ChangeListener(connector, CHANNEL, this::received, location);
    }

    @Override
    public Mark mark(String table, SessionScope scope, String id) {
        return markOn(listener.caughtUp(), table, scope, id);
    }

    /** A mark waits for a round trip; what this node knows without one may lag behind other nodes' commits. */
    @Override
    public boolean knownMarksMayLag() {
        return true;
    }

    /** Without a round trip: what this node has received so far (see {@link ChangeSignals#markKnown}). */
    @Override
    public Mark markKnown(String table, SessionScope scope, String id) {
        // A cache looks here first: the listener starts on the first look of either kind.
        listener.start();
        return markOn(listener.generation(), table, scope, id);
    }

    private Mark markOn(long generation, String table, SessionScope scope, String id) {
        if (generation == 0) {
            return null;
        }
        int slot = slotOf(table, scope, id);
        long slotEnded = ended.get(slot);
        long allEnded = ended.get(ALL);
        if (begun.get(slot) != slotEnded || begun.get(ALL) != allEnded || listener.generation() != generation) {
            return null;
        }
        return new Mark(slotEnded, allEnded, generation);
    }

    @Override
    public Change begin(String table, SessionScope scope, String id) {
        return begin(slotOf(table, scope, id), false);
    }

    @Override
    public Change beginRemoval(String table, SessionScope scope, String id) {
        return begin(slotOf(table, scope, id), true);
    }

    @Override
    public Change beginAll() {
        return begin(ALL, true);
    }

    private Change begin(int slot, boolean inTransaction) {
        long generation = listener.generation();
        long endedBefore = ended.get(slot);
        long allEndedBefore = ended.get(ALL);
        long startedBefore = begun.getAndIncrement(slot);
        long allStartedBefore = slot == ALL ? startedBefore : begun.get(ALL);
        pending.set(new Pending(node + " " + (slot == ALL ? ALL_PAYLOAD : Integer.toString(slot)), inTransaction));
        return new Change(
                slot == ALL ? -1 : slot, startedBefore, endedBefore, allStartedBefore, allEndedBefore, generation);
    }

    @Override
    public Mark end(Change change) {
        if (change == null) {
            return null;
        }
        pending.remove();
        if (change.slot() < 0) {
            ended.incrementAndGet(ALL);
            return null;
        }
        long slotEnded = ended.incrementAndGet(change.slot());
        long allEnded = ended.get(ALL);
        boolean alone = begun.get(change.slot()) == change.startedBefore() + 1
                && slotEnded == change.endedBefore() + 1
                && begun.get(ALL) == change.allStartedBefore()
                && allEnded == change.allEndedBefore();
        long generation = listener.generation();
        return alone && generation != 0 && generation == change.board()
                ? new Mark(slotEnded, allEnded, generation)
                : null;
    }

    /** The notification a write on this thread must send, or null when no announced change is under way on it. */
    Pending pending() {
        return pending.get();
    }

    /** Sends the notification on the write's connection, inside its transaction or after its commit. */
    static void send(Connection connection, Pending notification) throws SQLException {
        try (PreparedStatement notify =
                connection.prepareStatement(notification.inTransaction() ? NOTIFY_WITHIN : NOTIFY_AFTER)) {
            notify.setString(1, CHANNEL);
            notify.setString(2, notification.payload());
            notify.executeQuery().close();
        }
    }

    /**
     * Counts a change another node committed. A payload this version cannot read (another program's, or a later
     * version's) counts as a change of all: at worst caches read once more.
     */
    private void received(String payload) {
        int space = payload.indexOf(' ');
        if (space > 0 && payload.regionMatches(0, node, 0, space) && space == node.length()) {
            return;
        }
        int slot = ALL;
        String what = space < 0 ? "" : payload.substring(space + 1);
        if (!ALL_PAYLOAD.equals(what)) {
            try {
                int parsed = Integer.parseInt(what);
                slot = parsed >= 0 && parsed < SLOTS ? parsed : ALL;
            } catch (NumberFormatException e) {
                slot = ALL;
            }
        }
        begun.incrementAndGet(slot);
        ended.incrementAndGet(slot);
    }

    /**
     * The slot of a session; every node of one version computes the same. PostgreSQL folds unquoted table names to
     * lower case, so nodes spelling one table differently share its slots.
     */
    static int slotOf(String table, SessionScope scope, String id) {
        long h = 1125899906842597L;
        for (String part :
                new String[] {table.toLowerCase(Locale.ROOT), scope.contextPath(), scope.virtualHost(), id}) {
            h = 31 * h + (part == null ? 0 : part.hashCode());
            h = 31 * h + 0x1f;
        }
        // Spread the bits (MurmurHash3's 64-bit finalizer) so that ids differing in their last characters spread.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) (h & (SLOTS - 1));
    }

    @Override
    public void close() {
        listener.close();
    }
}
