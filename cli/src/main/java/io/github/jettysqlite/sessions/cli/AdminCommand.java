package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.SessionDatabaseAdmin;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    private SessionDatabaseAdmin open() throws Exception {
        if (cli.database.startsWith("jdbc:")) {
            return SessionDatabaseAdmin.open(cli.database, cli.user, System.getenv("PGPASSWORD"), cli.table);
        }
        return SessionDatabaseAdmin.open(Path.of(cli.database), cli.table);
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

    /** A progress bar on standard error, redrawn in place. */
    SessionDatabaseAdmin.Progress progressBar(String task) {
        return new ProgressBar(err(), task);
    }
}
