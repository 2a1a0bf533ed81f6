package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which file a database path named when it was opened, checked again before writes. Deleting the file under a
 * running server ({@code rm}), or moving another over it ({@code mv} of a restored backup), leaves the open
 * connections writing to the old, unlinked inode: every store would seem to succeed and be lost at the next start,
 * while a new process opens the new file. Once the path names another file (or none), writes are refused in words,
 * for good: reopening behind the sessions Jetty holds could not be right either, so a restart must decide.
 *
 * <p>The check is one {@code stat} at most every {@value #CHECK_EVERY_MS} ms, so it costs the request path nothing
 * measurable and no write is acknowledged for longer than that after the file changed.
 */
public final class FileIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(FileIdentity.class);
    public static final long CHECK_EVERY_MS = 20;

    private final Path file;
    private final Object opened;
    private volatile long nextCheckNanos;
    private volatile String lost;

    private FileIdentity(Path file, Object opened) {
        this.file = file;
        this.opened = opened;
    }

    /** The identity of the file now; a file system without file keys gets a check that never fires. */
    static FileIdentity of(Path file) {
        return new FileIdentity(file, keyOf(file));
    }

    /**
     * @throws SessionDatabaseException when the path no longer names the file that was opened
     */
    void requireUnchanged() throws SessionDatabaseException {
        String before = lost;
        if (unchanged()) {
            return;
        }
        String why = lost;
        if (before == null) {
            LOG.error(
                    "Session database {} {} while in use; refusing every write from now on, which would be lost."
                            + " Restart the server (or its contexts) to open the file now at that path.",
                    file,
                    why);
        }
        throw new SessionDatabaseException(
                "Session database " + file + " " + why + " while in use; writes are refused until the server"
                        + " (or its contexts) restart and open the file now at that path",
                null);
    }

    /**
     * True while the path still names the file that was opened, as last seen; looks again when the last look is more
     * than {@value #CHECK_EVERY_MS} ms old. Once false, false for good.
     */
    boolean unchanged() {
        if (lost != null) {
            return false;
        }
        long now = System.nanoTime();
        if (opened == null || now - nextCheckNanos < 0) {
            return true;
        }
        nextCheckNanos = now + TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MS);
        Object current = keyOf(file);
        if (Objects.equals(current, opened)) {
            return true;
        }
        lost = current == null ? "was deleted" : "was replaced by another file";
        return false;
    }

    /** Why the file is no longer the one opened, or null while it is. */
    String lost() {
        return lost;
    }

    private static Object keyOf(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
