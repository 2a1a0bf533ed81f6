package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.ContextStats;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.Stats;
import picocli.CommandLine.Command;

@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = "Sessions per context, expiry, sizes and schema version.")
final class StatsCommand extends AdminCommand {
    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        Stats stats = admin.stats();
        out().printf("database        %s%n", admin.location());
        out().printf(
                        "table           %s (schema version %d, journal %s)%n",
                        stats.table(), stats.schemaVersion(), stats.journalMode());
        if (stats.fileBytes() >= 0) {
            // A PostgreSQL server does not tell one table's share of its files (-1).
            out().printf("file size       %d bytes, WAL %d bytes%n", stats.fileBytes(), stats.walBytes());
        }
        out().printf(
                        "sessions        %d (expired %d, never expire %d)%n",
                        stats.sessions(), stats.expired(), stats.immortal());
        out().printf(
                        "%-24s %-16s %9s %9s %9s  %-24s  %s%n",
                        "context", "virtual host", "sessions", "expired", "immortal", "oldest", "newest");
        for (ContextStats c : stats.contexts()) {
            out().printf(
                            "%-24s %-16s %9d %9d %9d  %-24s  %s%n",
                            c.contextPath(),
                            c.virtualHost(),
                            c.sessions(),
                            c.expired(),
                            c.immortal(),
                            time(c.oldestCreated()),
                            time(c.newestCreated()));
        }
        return 0;
    }
}
