package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import picocli.CommandLine.Command;

@Command(
        name = "delete-all",
        mixinStandardHelpOptions = true,
        description = "Delete every session of every context (logs every user out). Asks first on a terminal;"
                + " elsewhere needs --yes.")
final class DeleteAllCommand extends SessionDeletion {
    @Override
    long count(SessionDatabaseAdmin admin) throws Exception {
        return admin.countAll();
    }

    @Override
    long delete(SessionDatabaseAdmin admin) throws Exception {
        return admin.deleteAll(progress("deleting"));
    }

    @Override
    String noun() {
        return "sessions";
    }
}
