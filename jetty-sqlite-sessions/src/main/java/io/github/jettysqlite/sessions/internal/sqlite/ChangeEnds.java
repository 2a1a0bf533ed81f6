package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.ChangeSignals.Change;
import io.github.jettysqlite.sessions.internal.ChangeSignals.Mark;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a change of a {@link ChangeBoard} ends on its board file: the counter it adds to, the mark it gives when it was
 * its slot's one change, and the late announcement of a change whose beginning was never written or was written on a
 * board replaced since. A write announced nowhere is said once per board.
 */
final class ChangeEnds {
    // The board's own logger: these are its messages, and an operator configures them under its name.
    private static final Logger LOG = LoggerFactory.getLogger(ChangeBoard.class);

    private final Path databaseFile;
    private final Path file;
    private volatile boolean warnedUnannounced;

    ChangeEnds(Path databaseFile, Path file) {
        this.databaseFile = databaseFile;
        this.file = file;
    }

    /** Ends a change whose beginning was written, on the board file as it is open now. */
    Mark ended(BoardFile m, Change change) {
        int row = change.slot() < 0 ? BoardFile.ALL_ROW : BoardFile.rowOf(change.slot());
        if (m.generation() == change.board() && change.origin() != m) {
            // It began on this board, in a lane this process has left since (its channel was closed under it, or
            // another process took the lane): whoever takes that lane next evens what it began there (see BoardFile),
            // so it is announced whole in this lane.
            announceLateOrAsAll(m, row);
            return null;
        }
        if (m.generation() != change.board()) {
            // It began on a board replaced meanwhile: announced on this one now.
            announceLateOrAsAll(m, row);
            return null;
        }
        m.add(row, BoardFile.ENDED);
        if (change.slot() < 0 || change.startedBefore() == ChangeBoard.NOT_READ) {
            return null;
        }
        BoardFile.Row counters = m.row(row);
        BoardFile.Row all = m.row(BoardFile.ALL_ROW);
        // Known current only when this was the one change of its slot (begun when none was under way, and none
        // begun since) and no change of all began or was under way meanwhile.
        boolean alone = change.startedBefore() == change.endedBefore()
                && counters.ended() == change.startedBefore() + 1
                && counters.begun() == counters.ended()
                && change.allStartedBefore() == change.allEndedBefore()
                && all.begun() == change.allStartedBefore()
                && all.ended() == change.allEndedBefore();
        return alone ? new Mark(counters.ended(), change.allEndedBefore(), m.generation()) : null;
    }

    /** Announced late on its row, or as a change of all if its row cannot be written. */
    private void announceLateOrAsAll(BoardFile m, int row) {
        try {
            announceLate(m, row);
        } catch (BoardFile.Gone e) {
            try {
                announceLate(m, BoardFile.ALL_ROW);
            } catch (BoardFile.Gone again) {
                warnUnannounced();
                throw again;
            }
        }
    }

    /** Begun and ended at once, in one write, so that a failure cannot leave the row "under way" for good. */
    Boolean announceLate(BoardFile m, int row) {
        m.addBoth(row);
        warnedUnannounced = false;
        return Boolean.TRUE;
    }

    /**
     * A write committed that no board announced: other processes' caches may serve their copies of its session for up
     * to the second their trust lasts. Said once per board, as the cause (a full disk, a stopped process holding a
     * lock) usually says more in the store's own errors.
     */
    void warnUnannounced() {
        if (!warnedUnannounced) {
            warnedUnannounced = true;
            LOG.warn(
                    "Cannot announce a change of {} on {}; other processes' coherent caches may serve their copies of"
                            + " it for up to a second",
                    databaseFile,
                    file);
        }
    }
}
