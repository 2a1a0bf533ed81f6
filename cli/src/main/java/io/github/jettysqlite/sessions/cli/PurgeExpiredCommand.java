package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "purge-expired",
        mixinStandardHelpOptions = true,
        description = {
            "Delete the sessions that expired longer ago than --older-than, in small batches so requests never wait"
                    + " long. Asks first on a terminal; elsewhere needs --yes.",
            "The margin is Jetty's grace period: with a save period, a session still in use may show an expiry in the"
                    + " past until its next save, and must not be purged."
        })
final class PurgeExpiredCommand extends SessionDeletion {
    /** Sessions per page when counting what a purge would delete. */
    private static final int COUNT_PAGE = 10_000;

    @Option(
            names = "--older-than",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "Only sessions expired longer ago than this: 0, 90s, 15m, 1h, 2d (default: ${DEFAULT-VALUE},"
                    + " Jetty's default grace period; match your server's gracePeriodSec).")
    Duration olderThan;

    /**
     * The sessions that expired at or before now minus the margin, as the purge chooses them. The admin API counts
     * expired sessions only against now, so this walks the pages of expired sessions and counts those past the
     * margin: exact on a quiet table, close on a busy one (the store's own sweeps delete as it reads).
     */
    @Override
    long count(SessionDatabaseAdmin admin) throws Exception {
        long before = System.currentTimeMillis() - olderThan.toMillis();
        long count = 0;
        List<SessionSummary> page;
        int offset = 0;
        do {
            page = admin.list(null, true, offset, COUNT_PAGE);
            count += page.stream().filter(s -> s.isExpiredAt(before)).count();
            offset += page.size();
        } while (page.size() == COUNT_PAGE);
        return count;
    }

    @Override
    long delete(SessionDatabaseAdmin admin) throws Exception {
        return admin.purgeExpired(olderThan, progress("purging"));
    }

    @Override
    String noun() {
        return "expired sessions";
    }

    @Override
    void describe(Map<String, Object> doc) {
        doc.put("olderThanMs", olderThan.toMillis());
    }
}
