package io.github.jettysqlite.sessions.postgresql.internal;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SessionScope;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@link ChangeSignals} of a PostgreSQL server, carried by {@code NOTIFY}: a write that changes what a cache would hold
 * sends a notification on {@value #CHANNEL} naming the session's slot, on its own connection (see {@link
 * PostgreSQLDatabase}). Each node counts, per slot of sessions and for all, the changes begun and ended by its own
 * threads and the changes other nodes announced.
 *
 * <p>A notification is sent right after its write commits, on the write's connection, before the request answers, in
 * a statement that does not wait for the disk (what it announces is already in the table). Not inside the write's
 * transaction, removals included: a transaction that notifies holds the server's one notification lock (for every
 * database of the server) through its commit, flush included, so writes announced that way commit one at a time
 * (deletes ran at 0.17-0.68x of Jetty's store, which sends nothing). Writers waiting at one moment send theirs in one
 * statement ({@link NotificationCombiner}). If the statement fails it is sent once more on another connection; the
 * write stands either way (its change is in the table), and if the notification is lost other nodes see the change
 * within the second their caches trust a copy.
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

    /** The notification a write on this thread must send after its commit: the change it has begun and not ended. */
    record Pending(String payload) {}

    private final ThreadLocal<Pending> pending = new ThreadLocal<>();

    /**
     * After writes committed, one notification per payload: without waiting for the disk, as what they announce is in
     * the table already, and a notification lost in a crash only leaves other nodes' caches trusting a copy for the
     * second they may anyway.
     */
    private static final String NOTIFY =
            "SELECT set_config('synchronous_commit', 'off', true), pg_notify(?, p) FROM unnest(?::text[]) AS p";

    private final NotificationCombiner combiner = new NotificationCombiner(PostgreSQLChangeSignals::send);

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
        return begin(slotOf(table, scope, id));
    }

    @Override
    public Change beginAll() {
        return begin(ALL);
    }

    private Change begin(int slot) {
        long generation = listener.generation();
        long endedBefore = ended.get(slot);
        long allEndedBefore = ended.get(ALL);
        long startedBefore = begun.getAndIncrement(slot);
        long allStartedBefore = slot == ALL ? startedBefore : begun.get(ALL);
        pending.set(new Pending(node + " " + (slot == ALL ? ALL_PAYLOAD : Integer.toString(slot))));
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

    /**
     * Sends a committed write's notification, on the write's connection (in autocommit) or with other writers' waiting
     * at the same moment; returns once it has committed. Waits at most {@code waitMs} for another writer's statement.
     */
    void announce(Connection connection, Pending notification, long waitMs) throws SQLException {
        combiner.announce(connection, notification.payload(), waitMs);
    }

    /** What sends the notifications (for tests: its statements and its queue). */
    NotificationCombiner combiner() {
        return combiner;
    }

    /** Sends one notification at once, on a connection in autocommit. */
    static void send(Connection connection, Pending notification) throws SQLException {
        send(connection, List.of(notification.payload()));
    }

    private static void send(Connection connection, List<String> payloads) throws SQLException {
        try (PreparedStatement notify = connection.prepareStatement(NOTIFY)) {
            notify.setString(1, CHANNEL);
            notify.setArray(2, connection.createArrayOf("text", payloads.toArray()));
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
