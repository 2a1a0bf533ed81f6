package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.Progress;
import java.io.PrintWriter;

/** A progress bar on standard error, redrawn in place; ends its line when the task is done. */
final class ProgressBar implements Progress {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String task;

    ProgressBar(PrintWriter err, String task) {
        this.err = err;
        this.task = task;
    }

    @Override
    public void update(long done, long total) {
        int filled = total <= 0 ? WIDTH : (int) (WIDTH * Math.min(done, total) / total);
        err.print("\r" + task + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
        if (done >= total) {
            err.println();
        }
        err.flush();
    }
}
