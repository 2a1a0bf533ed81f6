package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress on standard error. On a terminal, a bar redrawn in place; in a pipe or a CI log, where carriage returns
 * pile up as one endless line, a plain line at most every {@value #LINE_EVERY_SECONDS} seconds, and one at the end.
 */
final class ProgressBar implements Progress {
    private static final int WIDTH = 30;
    static final long LINE_EVERY_SECONDS = 5;

    private final PrintWriter err;
    private final String task;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private long lastLineNanos;
    private boolean printed;
    private long finishedAt = -1;

    ProgressBar(PrintWriter err, String task, boolean terminal, LongSupplier nanoTime) {
        this.err = err;
        this.task = task;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    /** The kind of progress the standard error this process runs with calls for. */
    static ProgressBar on(PrintWriter err, String task) {
        return new ProgressBar(err, task, onTerminal(), System::nanoTime);
    }

    /**
     * Whether standard error, where progress goes, is a terminal. On Linux its file descriptor says so directly, also
     * when only standard output is redirected or only standard error is ({@code 2>purge.log}); elsewhere, whether the
     * process has a terminal at all.
     */
    private static boolean onTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not Linux, or /proc is not mounted: ask the console
        }
        return Terminal.console() != null;
    }

    @Override
    public void update(long done, long total) {
        boolean finished = done >= total;
        // A task with nothing to do is finished at 0/0 before it starts and again when it ends: say so once.
        if (finished && done == finishedAt) {
            return;
        }
        if (finished) {
            finishedAt = done;
        }
        if (terminal) {
            int filled = total <= 0 ? WIDTH : (int) (WIDTH * Math.min(done, total) / total);
            err.print("\r" + task + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
            if (finished) {
                err.println();
            }
            err.flush();
            return;
        }
        long now = nanoTime.getAsLong();
        if (finished || !printed || now - lastLineNanos >= TimeUnit.SECONDS.toNanos(LINE_EVERY_SECONDS)) {
            printed = true;
            lastLineNanos = now;
            err.println(task + ": " + done + "/" + total + (finished ? " done" : ""));
            err.flush();
        }
    }
}
