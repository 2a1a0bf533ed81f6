package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.table.ExpiryStatements;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's answers to Jetty's scavenger: which sessions of its context have expired, and the sweep of expired
 * rows of every context. A failed query is logged and answers nothing, so that one bad pass does not stop the
 * scavenger; the next pass asks again.
 */
final class ExpiredSessions {
    /** The store's own category, which operators configure for everything the store says. */
    private static final Logger LOG = LoggerFactory.getLogger(SessionTableDataStore.class);

    /** What the engine does after a sweep deleted rows (the store's {@code afterMassDelete}). */
    @FunctionalInterface
    interface AfterMassDelete {
        void run() throws SessionDatabaseException;
    }

    /** The store's database as it is now: a store that has stopped fails the query rather than running it. */
    private final Supplier<SessionDatabase> database;

    private final ExpiryStatements statements;
    private final SessionScope scope;
    private final SessionStoreStatistics statistics;
    /** The store, as the log names it. */
    private final Object store;

    ExpiredSessions(
            Supplier<SessionDatabase> database,
            ExpiryStatements statements,
            SessionScope scope,
            SessionStoreStatistics statistics,
            Object store) {
        this.database = database;
        this.statements = statements;
        this.scope = scope;
        this.statistics = statistics;
        this.store = store;
    }

    /**
     * Of the candidates, those expired at {@code time} or gone, plus every session of the context last used by
     * {@code node} that has expired (see the store's {@code doCheckExpired}).
     */
    Set<String> check(Set<String> candidates, long time, String node) {
        double at = JulianDay.fromEpochMillis(time);
        try {
            return database.get().read(c -> {
                Set<String> expired = statements.expiredOwnedBy(c, scope, node, at);
                // Candidates this node last used and that expired are in the answer already (usually most of them):
                // only the others need a look each.
                Set<String> unanswered = new HashSet<>(candidates);
                unanswered.removeAll(expired);
                if (!unanswered.isEmpty()) {
                    expired.addAll(statements.absentOrExpired(c, scope, unanswered, at));
                }
                return expired;
            });
        } catch (Exception e) {
            LOG.warn("Cannot check expiry of {} candidate sessions in {}", candidates.size(), store, e);
            return new HashSet<>();
        }
    }

    /** Sessions of the context, last used by any node, whose expiry lies in (0, before]. */
    Set<String> before(long before) {
        double limit = JulianDay.fromEpochMillis(before);
        try {
            return database.get().read(c -> statements.expiredInContext(c, scope, limit));
        } catch (Exception e) {
            LOG.warn("Cannot find sessions expired before {} in {}", before, store, e);
            return new HashSet<>();
        }
    }

    /**
     * Deletes the sessions of every context whose expiry lies in (0, time], in batches so that requests waiting to
     * write get the lock in between, and counts them in the statistics.
     */
    void deleteAll(long time, AfterMassDelete after) {
        double limit = JulianDay.fromEpochMillis(time);
        long removed = 0;
        try {
            int deleted;
            do {
                SessionDatabase db = database.get();
                deleted = db.changingAll(() ->
                        db.writeStatement(c -> statements.deleteExpiredBatch(c, limit, ExpiryStatements.DELETE_BATCH)));
                removed += deleted;
            } while (deleted == ExpiryStatements.DELETE_BATCH);
            if (removed > 0) {
                after.run();
            }
        } catch (Exception e) {
            LOG.warn("Cannot delete sessions expired before {} in {}", time, store, e);
        } finally {
            statistics.orphansRemoved(removed);
        }
    }
}
