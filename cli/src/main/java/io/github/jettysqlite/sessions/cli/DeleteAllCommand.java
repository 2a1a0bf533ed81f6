package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "delete-all",
        mixinStandardHelpOptions = true,
        description = "Delete every session of every context (logs every user out). Needs --yes.")
final class DeleteAllCommand extends AdminCommand {
    @Option(names = "--yes", description = "Confirm that every session is to be deleted.")
    boolean confirmed;

    @Override
    boolean writes() {
        return true;
    }

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        if (!confirmed) {
            err().println("error: delete-all removes every session of every context; add --yes to confirm");
            return SessionsCli.FAILED;
        }
        long removed = admin.deleteAll(progressBar("deleting"));
        out().println("removed " + removed + " sessions");
        return 0;
    }
}
