package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "purge-expired",
        mixinStandardHelpOptions = true,
        description = {
            "Delete the sessions that expired longer ago than --older-than, in small batches so requests never wait"
                    + " long.",
            "The margin is Jetty's grace period: with a save period, a session still in use may show an expiry in the"
                    + " past until its next save, and must not be purged."
        })
final class PurgeExpiredCommand extends AdminCommand {
    @Option(
            names = "--older-than",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "Only sessions expired longer ago than this: 0, 90s, 15m, 1h, 2d (default: ${DEFAULT-VALUE},"
                    + " Jetty's default grace period; match your server's gracePeriodSec).")
    Duration olderThan;

    @Override
    boolean writes() {
        return true;
    }

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        long removed = admin.purgeExpired(olderThan, progressBar("purging"));
        out().println("removed " + removed + " expired sessions");
        return 0;
    }
}
