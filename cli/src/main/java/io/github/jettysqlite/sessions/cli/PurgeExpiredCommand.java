package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.SessionDatabaseAdmin;
import picocli.CommandLine.Command;

@Command(
        name = "purge-expired",
        mixinStandardHelpOptions = true,
        description = "Delete every expired session, in small batches so requests never wait long.")
final class PurgeExpiredCommand extends AdminCommand {
    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        long removed = admin.purgeExpired(progressBar("purging"));
        out().println("removed " + removed + " expired sessions");
        return 0;
    }
}
