package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Brings the session table to this version's layout, as a server of this version would when it starts: the one
 * command that may change a schema, and says so.
 */
@Command(
        name = "upgrade-schema",
        mixinStandardHelpOptions = true,
        description = "Upgrade the session table to this version's layout in place, keeping every session (as a server"
                + " of this version does when it starts). Servers of older versions cannot use it afterwards.")
final class UpgradeSchemaCommand implements Callable<Integer> {
    @ParentCommand
    SessionsCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (cli.database == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--db=<database>'");
        }
        int before;
        try (SessionDatabaseAdmin admin =
                SessionDatabaseAdmin.inspect(cli.database, cli.user, System.getenv("PGPASSWORD"), cli.table())) {
            before = admin.schemaVersion();
        }
        try (SessionDatabaseAdmin admin =
                SessionDatabaseAdmin.connect(cli.database, cli.user, System.getenv("PGPASSWORD"), cli.table())) {
            int after = admin.schemaVersion();
            spec.commandLine()
                    .getOut()
                    .println(
                            before == after
                                    ? "schema version " + after + " already; nothing to do"
                                    : "upgraded schema version " + before + " to " + after);
        }
        return 0;
    }
}
