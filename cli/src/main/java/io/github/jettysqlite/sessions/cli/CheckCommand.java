package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = "SQLite's integrity check and the schema version; exits 1 when a problem is found.")
final class CheckCommand extends AdminCommand {
    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        List<String> result = admin.check();
        Map<String, Object> doc = about(admin);
        doc.put("schemaVersion", admin.schemaVersion());
        doc.put("integrity", result);
        if (result.equals(List.of("ok"))) {
            printDone(doc, "schema version " + admin.schemaVersion() + System.lineSeparator() + "integrity: ok");
            return 0;
        }
        if (!json()) {
            // The problems are the finding: printed also with --quiet, before the one-line error.
            result.forEach(line -> out().println("integrity: " + line));
        }
        throw new CommandFailure(
                SessionsCli.FAILED,
                "integrity check found " + result.size() + " problem(s) in " + admin.location(),
                doc);
    }
}
