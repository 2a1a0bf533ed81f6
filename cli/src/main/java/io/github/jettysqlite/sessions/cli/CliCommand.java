package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every command shares: the global options, and output that follows them. A command prints either one JSON
 * document (--json) or text; --quiet drops progress and the lines that say what was done, never what a command was
 * asked to find, and never errors (those go through {@link CommandFailure} to {@link SessionsCli}'s handler).
 */
abstract class CliCommand implements Callable<Integer> {
    @ParentCommand
    SessionsCli cli;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    boolean json() {
        return cli.json;
    }

    /** What a command found (statistics, a listing, a dry run's counts): the document with --json, else the text. */
    void printFound(Object doc, String text) {
        out().println(json() ? Json.write(doc) : text);
    }

    /** What a command did: the document with --json, else the line, unless --quiet. */
    void printDone(Map<String, Object> doc, String text) {
        if (json() || !cli.quiet) {
            printFound(doc, text);
        }
    }

    /** Progress on standard error (a bar on a terminal, a line now and then elsewhere), none with --quiet. */
    Progress progress(String task) {
        return cli.quiet ? Progress.NONE : ProgressBar.on(err(), task);
    }

    /** The fields every report on one database starts with: which database and table. */
    static Map<String, Object> about(SessionDatabaseAdmin admin) {
        Map<String, Object> doc = Json.object();
        doc.put("database", admin.location());
        doc.put("table", admin.table());
        return doc;
    }

    static String time(long epochMillis) {
        return epochMillis <= 0 ? "never" : Instant.ofEpochMilli(epochMillis).toString();
    }
}
