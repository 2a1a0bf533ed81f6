package io.github.jettysqlite.sessions.cli;

import picocli.CommandLine.Option;

/**
 * {@code --yes} and {@code --dry-run}, for the commands that delete or rewrite sessions: on a terminal they ask
 * first; elsewhere they run only when told to, because a script that deletes by accident cannot be asked.
 */
final class Confirmation {
    @Option(names = "--yes", description = "Go ahead without asking (needed where there is no terminal to ask on).")
    boolean yes;

    @Option(names = "--dry-run", description = "Only report what would change (counts); change nothing.")
    boolean dryRun;

    /**
     * Before the database is opened: the command may go ahead only when told (--yes), when it changes nothing
     * (--dry-run), or when there is a terminal to ask on. The refusal does not depend on the data, so a script that
     * works on an empty table works on a full one.
     */
    void requireWayToConfirm(String command, Terminal terminal) throws CommandFailure {
        if (!yes && !dryRun && terminal == null) {
            throw new CommandFailure(
                    SessionsCli.USAGE,
                    command + " changes sessions and there is no terminal to ask on: pass --yes to go ahead"
                            + " (or --dry-run to see what it would do)");
        }
    }

    /** Unless --yes was given, asks on the terminal; anything but yes stops the command with nothing changed. */
    void confirm(Terminal terminal, String question) throws CommandFailure {
        if (!yes && !terminal.confirm(question)) {
            throw new CommandFailure(SessionsCli.FAILED, "not confirmed; nothing changed");
        }
    }
}
