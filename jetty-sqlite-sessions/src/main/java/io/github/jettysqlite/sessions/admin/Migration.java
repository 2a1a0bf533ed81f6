package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.JulianDay;
import java.util.List;

/**
 * One run of copying every live session from a source database to a target: keyset pages read from the source,
 * each written to the target in one transaction, the outcome of every row counted.
 */
final class Migration {
    private final AdminTable source;
    private final AdminTable target;
    private final MigrationTarget into;
    private final int batchSize;

    /** See {@link SessionDatabaseAdmin#copyLiveSessionsTo}. */
    Migration(AdminTable source, AdminTable target, int batchSize) throws SessionDatabaseException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
        }
        if (target.database() == source.database()
                && target.sessionTable().name().equals(source.sessionTable().name())) {
            throw new SessionDatabaseException(
                    "Cannot migrate " + source.database().location() + " onto itself", null);
        }
        this.source = source;
        this.target = target;
        this.into = new MigrationTarget(target.sessionTable());
        this.batchSize = batchSize;
    }

    MigrationResult run(Progress progress) throws SessionDatabaseException {
        target.write(c -> {
            into.ensureLedger(c);
            return null;
        });
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        long live = source.read(c -> source.queries().countLive(c, now));
        long seen = 0;
        long[] outcomes = new long[MigrationTarget.Outcome.values().length];
        progress.update(0, live);
        SessionRow last = null;
        while (true) {
            SessionRow after = last;
            List<SessionRow> page = source.read(c -> source.queries().liveRowsAfter(c, after, now, batchSize));
            if (page.isEmpty()) {
                break;
            }
            long[] counted = target.write(c -> {
                long[] pageOutcomes = new long[outcomes.length];
                for (SessionRow row : page) {
                    pageOutcomes[into.copyIn(c, row).ordinal()]++;
                }
                return pageOutcomes;
            });
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] += counted[i];
            }
            seen += page.size();
            last = page.get(page.size() - 1);
            progress.update(seen, Math.max(live, seen));
        }
        return new MigrationResult(
                seen,
                outcomes[MigrationTarget.Outcome.COPIED.ordinal()],
                outcomes[MigrationTarget.Outcome.UNCHANGED.ordinal()],
                outcomes[MigrationTarget.Outcome.KEPT_NEWER.ordinal()],
                outcomes[MigrationTarget.Outcome.DELETED_HERE.ordinal()]);
    }
}
