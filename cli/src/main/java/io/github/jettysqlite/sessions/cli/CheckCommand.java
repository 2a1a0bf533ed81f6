package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = "SQLite's integrity check and the schema version; exits 1 when a problem is found.")
final class CheckCommand extends AdminCommand {
    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        List<String> result = admin.check();
        out().println("schema version " + admin.schemaVersion());
        result.forEach(line -> out().println("integrity: " + line));
        return result.equals(List.of("ok")) ? 0 : SessionsCli.FAILED;
    }
}
