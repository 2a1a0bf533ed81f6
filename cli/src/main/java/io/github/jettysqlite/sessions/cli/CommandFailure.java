package io.github.jettysqlite.sessions.cli;

import java.util.Map;

/**
 * A command that ran into something it can say in one sentence: the exit code to leave with, and, for {@code --json},
 * what else belongs beside the message in the error document. Not a crash, so {@code --verbose} prints no stack
 * trace for it.
 */
final class CommandFailure extends Exception {
    private final int exitCode;
    private final Map<String, Object> details;

    CommandFailure(int exitCode, String message) {
        this(exitCode, message, Map.of());
    }

    /** @param details fields that follow {@code "error"} and {@code "exitCode"} in the JSON error document */
    CommandFailure(int exitCode, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.details = details;
    }

    int exitCode() {
        return exitCode;
    }

    Map<String, Object> details() {
        return details;
    }
}
