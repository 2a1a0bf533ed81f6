package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.ChangeSignals.Change;
import io.github.jettysqlite.sessions.internal.ChangeSignals.Mark;
import java.nio.ByteBuffer;
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
        if (m.generation() != change.board()) {
            // It began on a board replaced meanwhile: announced on this one now; as a change of all if its slot
            // cannot be written.
            int offset = change.slot() < 0 ? BoardFile.ALL_OFFSET : BoardFile.offsetOf(change.slot());
            try {
                announceLate(m, offset);
            } catch (BoardFile.Gone e) {
                try {
                    announceLate(m, BoardFile.ALL_OFFSET);
                } catch (BoardFile.Gone again) {
                    warnUnannounced();
                    throw again;
                }
            }
            return null;
        }
        if (change.slot() < 0) {
            PairLock.addOne(m, BoardFile.ALL_OFFSET, BoardFile.ENDED);
            return null;
        }
        ByteBuffer before = PairLock.addOne(m, BoardFile.offsetOf(change.slot()), BoardFile.ENDED);
        long ended = before.getLong(BoardFile.ENDED) + 1;
        ByteBuffer all = m.pair(BoardFile.ALL_OFFSET);
        // Known current only when this was the one change of its slot (begun when none was under way, and none
        // begun since) and no change of all began or was under way meanwhile.
        boolean alone = change.startedBefore() == change.endedBefore()
                && ended == change.startedBefore() + 1
                && before.getLong(BoardFile.BEGUN) == ended
                && change.allStartedBefore() == change.allEndedBefore()
                && all.getLong(BoardFile.BEGUN) == change.allStartedBefore()
                && all.getLong(BoardFile.ENDED) == change.allEndedBefore();
        return alone ? new Mark(ended, change.allEndedBefore(), m.generation()) : null;
    }

    /** Begun and ended at once, in one write, so that a failure cannot leave the pair "under way" for good. */
    Boolean announceLate(BoardFile m, int offset) {
        PairLock.addBoth(m, offset);
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
