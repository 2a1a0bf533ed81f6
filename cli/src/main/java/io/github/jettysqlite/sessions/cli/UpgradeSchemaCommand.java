package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Brings the session table to this version's layout, as a server of this version would when it starts: the one
 * command that may change a schema, and says so. An upgrade may rewrite every row and leaves a table servers of
 * older versions cannot use, so, like the deleting commands, it asks first or takes --yes.
 */
@Command(
        name = "upgrade-schema",
        mixinStandardHelpOptions = true,
        description = "Upgrade the session table to this version's layout in place, keeping every session (as a server"
                + " of this version does when it starts). Servers of older versions cannot use it afterwards. Asks"
                + " first on a terminal; elsewhere needs --yes.")
final class UpgradeSchemaCommand extends CliCommand {
    @Mixin
    Confirmation confirmation = new Confirmation();

    @Override
    public Integer call() throws Exception {
        String database = cli.database();
        confirmation.requireWayToConfirm(spec.name(), cli.terminal());
        Map<String, Object> doc;
        int before;
        long sessions;
        try (SessionDatabaseAdmin admin =
                SessionDatabaseAdmin.inspect(database, cli.user, cli.password(), cli.table())) {
            doc = about(admin);
            before = admin.schemaVersion();
            sessions = admin.countAll();
        }
        String table = "table " + doc.get("table") + " in " + doc.get("database");
        doc.put("dryRun", confirmation.dryRun);
        doc.put("sessions", sessions);
        doc.put("schemaVersionBefore", before);
        if (confirmation.dryRun) {
            printFound(
                    doc,
                    table + " is at schema version " + before + " with " + sessions + " sessions; upgrade-schema would"
                            + " bring it to this version's layout (dry run: nothing changed)");
            return 0;
        }
        confirmation.confirm(
                cli.terminal(),
                "Upgrade " + table + " (schema version " + before + ", " + sessions + " sessions) to this version's"
                        + " layout? Servers of older versions cannot use it afterwards.");
        int after;
        try (SessionDatabaseAdmin admin =
                SessionDatabaseAdmin.openCreatingTable(database, cli.user, cli.password(), cli.table())) {
            after = admin.schemaVersion();
        }
        doc.put("schemaVersion", after);
        printDone(
                doc,
                before == after
                        ? "schema version " + after + " already; nothing to do"
                        : "upgraded schema version " + before + " to " + after);
        return 0;
    }
}
