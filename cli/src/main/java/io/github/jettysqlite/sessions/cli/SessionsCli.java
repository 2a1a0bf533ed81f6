package io.github.jettysqlite.sessions.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code java -jar jetty-sqlite-sessions-cli.jar --db sessions.db <command>}: inspects and maintains a session
 * database, safely while Jetty keeps using it.
 */
@Command(
        name = "jetty-sqlite-sessions",
        mixinStandardHelpOptions = true,
        versionProvider = SessionsCli.Version.class,
        description = "Inspect and maintain a jetty-sqlite-sessions database, also while Jetty runs.",
        subcommands = {
            StatsCommand.class,
            ListCommand.class,
            ShowCommand.class,
            PurgeExpiredCommand.class,
            DeleteAllCommand.class,
            BackupCommand.class,
            VacuumCommand.class,
            CheckCommand.class,
            UpgradeSchemaCommand.class,
            MigrateCommand.class
        })
public final class SessionsCli {
    /** Exit code of a command that ran but found a problem or could not reach the database. */
    static final int FAILED = 1;

    /** Exit code of a command line that names no command, an unknown option or a bad value (picocli's own). */
    static final int USAGE = 2;

    static final String DEFAULT_TABLE = "jetty_sessions";

    /** The table the options name, or the default one. */
    String table() {
        return table == null ? DEFAULT_TABLE : table;
    }

    // Not "required" to picocli, so that "<command> --help" works without it; commands check it when they run.
    @Option(
            names = "--db",
            scope = ScopeType.INHERIT,
            description = "The session database file, or a jdbc:postgresql: URL (required by every command but"
                    + " migrate, which takes --from).")
    String database;

    @Option(
            names = "--user",
            scope = ScopeType.INHERIT,
            description = "With a PostgreSQL --db, the user, unless the URL names one; the password comes from the"
                    + " URL or the PGPASSWORD variable.")
    String user;

    // No defaultValue: an inherited option's default, applied on the subcommand, would undo a --table given before it.
    @Option(names = "--table", scope = ScopeType.INHERIT, description = "The session table (default: jetty_sessions).")
    String table;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of failures.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with error handling: a failure prints one line, or its stack trace with --verbose. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new SessionsCli());
        line.setExecutionExceptionHandler((e, cl, parsed) -> {
            SessionsCli root = cl.getCommandSpec().root().userObject() instanceof SessionsCli cli ? cli : null;
            if (root != null && root.verbose) {
                e.printStackTrace(cl.getErr());
            } else {
                cl.getErr().println("error: " + e.getMessage());
            }
            return FAILED;
        });
        return line;
    }

    /** The version from the jar's manifest, when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SessionsCli.class.getPackage().getImplementationVersion();
            return new String[] {"jetty-sqlite-sessions " + (version == null ? "(development build)" : version)};
        }
    }
}
