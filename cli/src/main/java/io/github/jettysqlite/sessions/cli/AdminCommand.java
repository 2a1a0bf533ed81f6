package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every command shares: the database named by the global options, and the output streams. */
abstract class AdminCommand implements Callable<Integer> {
    @ParentCommand
    SessionsCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        if (cli.database == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--db=<database>'");
        }
        try (SessionDatabaseAdmin admin = open()) {
            return run(admin);
        }
    }

    /** Read-only for commands that only look; for commands that write, a database already at this layout. */
    private SessionDatabaseAdmin open() throws Exception {
        String password = System.getenv("PGPASSWORD");
        return writes()
                ? SessionDatabaseAdmin.open(cli.database, cli.user, password, cli.table())
                : SessionDatabaseAdmin.inspect(cli.database, cli.user, password, cli.table());
    }

    /** True for a command that changes the database; the others open it read-only. */
    boolean writes() {
        return false;
    }

    abstract int run(SessionDatabaseAdmin admin) throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static String time(long epochMillis) {
        return epochMillis <= 0 ? "never" : Instant.ofEpochMilli(epochMillis).toString();
    }

    /** Progress on standard error: a bar redrawn in place on a terminal, a line now and then elsewhere. */
    Progress progressBar(String task) {
        return ProgressBar.on(err(), task);
    }
}
