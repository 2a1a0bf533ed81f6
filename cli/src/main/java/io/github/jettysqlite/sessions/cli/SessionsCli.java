package io.github.jettysqlite.sessions.cli;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterExceptionHandler;
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
            DeleteCommand.class,
            DeleteAllCommand.class,
            BackupCommand.class,
            VacuumCommand.class,
            CheckCommand.class,
            UpgradeSchemaCommand.class,
            SealCommand.class,
            MigrateCommand.class
        })
public final class SessionsCli {
    /** Exit code of a command that ran but found a problem or could not reach the database. */
    static final int FAILED = 1;

    /**
     * Exit code of a command line that is not enough to act on: no command, an unknown option or a bad value
     * (picocli's own), no database, or a deletion without --yes where nobody can be asked.
     */
    static final int USAGE = 2;

    static final String DEFAULT_TABLE = "jetty_sessions";

    /** The variable that names the database when --db does not. */
    static final String DATABASE_VARIABLE = "JETTY_SESSIONS_DB";

    private final Function<String, String> environment;
    private final Terminal terminal;

    public SessionsCli() {
        this(System::getenv, Terminal.ofProcess());
    }

    /**
     * @param environment the process's variables, by name
     * @param terminal where to ask before deleting, or null when nobody can be asked
     */
    SessionsCli(Function<String, String> environment, Terminal terminal) {
        this.environment = environment;
        this.terminal = terminal;
    }

    // Not "required" to picocli, so that "<command> --help" works without it; commands ask database() when they run.
    @Option(
            names = "--db",
            scope = ScopeType.INHERIT,
            description = "The session database file, or a jdbc:postgresql: URL (default: the " + DATABASE_VARIABLE
                    + " variable; every command but migrate, which takes --from, needs one).")
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

    @Option(
            names = "--json",
            scope = ScopeType.INHERIT,
            description = "Print one JSON document on standard output: what the command found or did, or"
                    + " {\"error\", \"exitCode\"} when it fails.")
    boolean json;

    @Option(
            names = "--quiet",
            scope = ScopeType.INHERIT,
            description = "No progress and no lines saying what was done; findings, JSON and errors still print.")
    boolean quiet;

    /** The table the options name, or the default one. */
    String table() {
        return table == null ? DEFAULT_TABLE : table;
    }

    /** The database --db names, or else the one {@value #DATABASE_VARIABLE} names, by the same rules. */
    String database() throws CommandFailure {
        if (database != null) {
            return database;
        }
        String named = environment.apply(DATABASE_VARIABLE);
        if (named == null || named.isBlank()) {
            throw new CommandFailure(
                    USAGE,
                    "no database: pass --db <file or jdbc:postgresql: URL>, or set the " + DATABASE_VARIABLE
                            + " variable");
        }
        return named;
    }

    /** The PostgreSQL password from PGPASSWORD, as libpq's own tools take it; null when unset. */
    String password() {
        return environment.apply("PGPASSWORD");
    }

    /** Where to ask before deleting, or null when nobody can be asked. */
    Terminal terminal() {
        return terminal;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line of this process: its variables and, when it has one, its terminal. */
    static CommandLine commandLine() {
        return commandLine(new SessionsCli());
    }

    /**
     * The command line with error handling: a failure prints one line (with --verbose, a crash its stack trace), or
     * with --json one JSON object on standard output; the exit code is the failure's.
     */
    static CommandLine commandLine(SessionsCli cli) {
        CommandLine line = new CommandLine(cli);
        IParameterExceptionHandler usage = line.getParameterExceptionHandler();
        line.setParameterExceptionHandler((e, args) -> jsonAsked(args)
                ? printJson(e.getCommandLine(), new CommandFailure(USAGE, e.getMessage()))
                : usage.handleParseException(e, args));
        line.setExecutionExceptionHandler((e, cl, parsed) -> cli.fail(cl, e));
        return line;
    }

    /** Says why a command failed, as the options ask, and returns the exit code to leave with. */
    private int fail(CommandLine cl, Exception e) {
        CommandFailure failure = e instanceof CommandFailure f
                ? f
                : new CommandFailure(FAILED, Objects.requireNonNullElse(e.getMessage(), e.toString()));
        // A crash rather than a failure the command described: its stack trace, which names the message as well.
        boolean trace = verbose && failure != e;
        if (trace) {
            e.printStackTrace(cl.getErr());
        }
        if (json) {
            return printJson(cl, failure);
        }
        if (!trace) {
            cl.getErr().println("error: " + failure.getMessage());
        }
        return failure.exitCode();
    }

    /** Whether --json is among arguments that did not parse: their options were never all applied. */
    private static boolean jsonAsked(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--json")) {
                return true;
            }
        }
        return false;
    }

    /** The failure as {@code {"error", "exitCode", ...details}} on standard output; returns its exit code. */
    private static int printJson(CommandLine cl, CommandFailure failure) {
        Map<String, Object> error = Json.object();
        error.put("error", failure.getMessage());
        error.put("exitCode", failure.exitCode());
        error.putAll(failure.details());
        cl.getOut().println(Json.write(error));
        cl.getOut().flush();
        return failure.exitCode();
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
