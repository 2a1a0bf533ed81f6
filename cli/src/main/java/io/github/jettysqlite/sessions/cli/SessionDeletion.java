package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.Map;
import picocli.CommandLine.Mixin;

/**
 * A command that deletes sessions: with --dry-run it only counts them; otherwise it asks on a terminal (unless
 * --yes), deletes with progress and says how many went. Refused before the database is opened when nobody can be
 * asked and --yes is missing.
 */
abstract class SessionDeletion extends AdminCommand {
    @Mixin
    Confirmation confirmation = new Confirmation();

    /** The sessions this command would delete now. */
    abstract long count(SessionDatabaseAdmin admin) throws Exception;

    /** Deletes them, with {@link #progress}; returns how many went. */
    abstract long delete(SessionDatabaseAdmin admin) throws Exception;

    /** The sessions in words, after a number: "sessions", "expired sessions". */
    abstract String noun();

    /** Fields of the command's own in its reports (the margin of a purge). */
    void describe(Map<String, Object> doc) {}

    @Override
    final boolean writes() {
        return !confirmation.dryRun;
    }

    @Override
    final void beforeOpening() throws CommandFailure {
        confirmation.requireWayToConfirm(spec.name(), cli.terminal());
    }

    @Override
    final int run(SessionDatabaseAdmin admin) throws Exception {
        Map<String, Object> doc = about(admin);
        describe(doc);
        doc.put("dryRun", confirmation.dryRun);
        if (confirmation.dryRun) {
            long sessions = count(admin);
            doc.put("sessions", sessions);
            printFound(doc, "would remove " + sessions + " " + noun() + " (dry run: nothing deleted)");
            return 0;
        }
        if (!confirmation.yes) {
            confirmation.confirm(
                    cli.terminal(), "Delete " + count(admin) + " " + noun() + " from " + admin.location() + "?");
        }
        long removed = delete(admin);
        doc.put("sessions", removed);
        printDone(doc, "removed " + removed + " " + noun());
        return 0;
    }
}
