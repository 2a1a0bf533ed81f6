package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;

/** A command on the one database the global options (or {@value SessionsCli#DATABASE_VARIABLE}) name. */
abstract class AdminCommand extends CliCommand {
    @Override
    public final Integer call() throws Exception {
        String database = cli.database();
        beforeOpening();
        try (SessionDatabaseAdmin admin = writes()
                ? SessionDatabaseAdmin.open(database, cli.user, cli.password(), cli.table())
                : SessionDatabaseAdmin.inspect(database, cli.user, cli.password(), cli.table())) {
            return run(admin);
        }
    }

    /** True for a command that changes the database; the others open it read-only. */
    boolean writes() {
        return false;
    }

    /** What must hold before the database is touched at all. */
    void beforeOpening() throws CommandFailure {}

    abstract int run(SessionDatabaseAdmin admin) throws Exception;
}
