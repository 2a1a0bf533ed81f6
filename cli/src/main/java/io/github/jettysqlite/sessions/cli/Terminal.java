package io.github.jettysqlite.sessions.cli;

import java.io.Console;
import java.util.Locale;

/** The operator at a terminal, who can be asked before sessions are deleted; there is none in a pipe, cron or CI. */
@FunctionalInterface
interface Terminal {
    /** Asks a yes-or-no question; true only for an explicit yes, so that Enter or end of input means no. */
    boolean confirm(String question);

    /** This process's terminal, or null when it runs without one. */
    static Terminal ofProcess() {
        Console console = console();
        // The question goes in as an argument, never as the format: a path may hold a '%'.
        return console == null ? null : question -> isYes(console.readLine("%s [y/N] ", question));
    }

    static boolean isYes(String answer) {
        String word = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
        return word.equals("y") || word.equals("yes");
    }

    /**
     * The console when the process runs on a terminal, else null. Up to Java 21 a console exists only on a terminal;
     * from Java 22 one always exists, and {@code Console.isTerminal()} (looked up by name, as this code compiles for
     * Java 17) says whether it is one.
     */
    static Console console() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console) ? console : null;
        } catch (ReflectiveOperationException e) {
            return console;
        }
    }
}
