package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.ContextStats;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.Stats;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = "Sessions per context, expiry, sizes and schema version.")
final class StatsCommand extends AdminCommand {
    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        Stats stats = admin.stats();
        if (json()) {
            out().println(Json.write(toJson(admin, stats)));
            return 0;
        }
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

    private static Map<String, Object> toJson(SessionDatabaseAdmin admin, Stats stats) {
        Map<String, Object> doc = Json.object();
        doc.put("database", admin.location());
        doc.put("table", stats.table());
        doc.put("schemaVersion", stats.schemaVersion());
        doc.put("journalMode", stats.journalMode());
        doc.put("fileBytes", stats.fileBytes());
        doc.put("walBytes", stats.walBytes());
        doc.put("sessions", stats.sessions());
        doc.put("expired", stats.expired());
        doc.put("neverExpire", stats.immortal());
        List<Object> contexts = Json.array();
        for (ContextStats c : stats.contexts()) {
            Map<String, Object> context = Json.object();
            context.put("contextPath", c.contextPath());
            context.put("virtualHost", c.virtualHost());
            context.put("sessions", c.sessions());
            context.put("expired", c.expired());
            context.put("neverExpire", c.immortal());
            context.put("oldestCreatedMs", c.oldestCreated());
            context.put("newestCreatedMs", c.newestCreated());
            contexts.add(context);
        }
        doc.put("contexts", contexts);
        return doc;
    }
}
