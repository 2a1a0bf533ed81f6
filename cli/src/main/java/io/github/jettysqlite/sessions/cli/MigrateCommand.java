package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.MigrationResult;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Copies every live session from an SQLite file to another database, usually a PostgreSQL server that several
 * machines will share. Reads the source through the same connections a running server would, so it can run while
 * Jetty still serves from the file. It asks for no confirmation: it deletes nothing, never replaces a newer copy on
 * the target, and is meant to be run again.
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Copy every unexpired session from an SQLite file to a PostgreSQL server (or another SQLite file),"
                    + " in batches, with progress.",
            "Running it again is safe: it copies what changed in the file since, leaves a session the target holds"
                    + " in a later save alone, and does not bring back a session deleted on the target since it was"
                    + " copied (a ledger on the target records what was copied)."
        })
final class MigrateCommand extends CliCommand {
    @Option(names = "--from", required = true, description = "The SQLite session database to copy from.")
    Path from;

    @Option(
            names = "--to",
            required = true,
            description = "JDBC URL of the target, e.g. jdbc:postgresql://db.example.com:5432/app")
    String to;

    @Option(names = "--to-user", description = "User on the target, unless the URL names one.")
    String user;

    // Given without a value, picocli asks for it on the terminal without echoing it, so no password needs to sit on a
    // command line (or in the shell's history).
    @Option(
            names = "--to-password",
            arity = "0..1",
            interactive = true,
            description = "Password on the target, unless the URL holds one; given alone, it is asked for without echo."
                    + " Default: the PGPASSWORD variable.")
    char[] password;

    @Option(
            names = "--batch",
            defaultValue = "500",
            description = "Sessions per transaction on the target (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        String secret = password != null ? new String(password) : cli.password();
        try (SessionDatabaseAdmin source = SessionDatabaseAdmin.inspect(from.toString(), null, null, cli.table());
                SessionDatabaseAdmin target = SessionDatabaseAdmin.openCreatingTable(to, user, secret, cli.table())) {
            MigrationResult result = source.copyLiveSessionsTo(target, batch, progress("copying"));
            Map<String, Object> doc = Json.object();
            doc.put("from", source.location());
            doc.put("to", target.location());
            doc.put("table", target.table());
            doc.put("live", result.live());
            doc.put("copied", result.copied());
            doc.put("unchanged", result.unchanged());
            doc.put("keptNewer", result.keptNewer());
            doc.put("deletedOnTarget", result.deletedOnTarget());
            printDone(
                    doc,
                    String.format(
                            "copied %d of %d live sessions from %s to %s table %s (%d unchanged, %d kept: the target's"
                                    + " were newer, %d left deleted: deleted on the target since copied)",
                            result.copied(),
                            result.live(),
                            source.location(),
                            target.location(),
                            target.table(),
                            result.unchanged(),
                            result.keptNewer(),
                            result.deletedOnTarget()));
            return 0;
        }
    }
}
