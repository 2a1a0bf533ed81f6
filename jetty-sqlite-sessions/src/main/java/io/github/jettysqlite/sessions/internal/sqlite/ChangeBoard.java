package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SessionScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChangeSignals} of an SQLite file, kept in a small file beside it ({@code <database>-changes}) that every
 * process using the database reads and writes. Every process of one SQLite file is on one machine (its write-ahead log
 * needs shared memory), so a counter one process adds to is in the page cache the next read of any other sees, and a
 * cache checks a session by reading two rows of counters (two {@code pread}s) instead of its row. Each process has a
 * lane of its own in every row and adds only to its own counters, so processes never lose each other's additions and
 * never wait for each other; a reader adds the lanes up.
 *
 * <p>The file is read and written, never mapped into memory: a mapped file that someone truncates (a {@code cp} over
 * it, say) kills the processes touching it, where a read past its end only comes back short, which here means "no
 * mark", and a cache reads the row.
 *
 * <p>Sessions hash onto a fixed number of slots; each slot, and one for all sessions, holds two counters per lane:
 * changes begun and changes ended. A slot whose sums differ has a change under way (or a writer died during one), and
 * gives no mark: caches then read the row, as they do for every session whenever the board cannot be used. Two
 * sessions sharing a slot only make each other's caches read more often.
 *
 * <p>The file is looked at every {@value #LOOK_EVERY_MS} ms: deleted or replaced under running servers, it is opened
 * again (created afresh if gone or emptied), so that every process, old and new, announces on the same board; one cut
 * short otherwise is no board any more, and caches read every row until it is deleted. Each board is born with a
 * random generation that marks carry, so that no trust taken on one board holds on the next. The file itself, its
 * layout and its lanes are {@link BoardFile}'s; how a change ends on it, {@link ChangeEnds}'s; opening and closing
 * board files without losing another board's lane, {@link BoardFiles}'.
 */
public final class ChangeBoard implements ChangeSignals {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeBoard.class);
    /** Slots for sessions; a power of two. More would not make collisions rarer in a way that matters. */
    static final int SLOTS = BoardFile.SLOTS;

    static final long LOOK_EVERY_MS = 20;

    /** The {@link Change#startedBefore()} of a change whose beginning could not be written. */
    private static final long UNANNOUNCED = -1;

    /** The {@link Change#startedBefore()} of a change that gives no mark, so its beginning read no counter. */
    static final long NOT_READ = -3;

    private volatile boolean warned;
    private volatile boolean closed;
    /**
     * Changes begun on this board and not ended yet; the file stays open for their ends after a close. Counted without
     * a lock: every announced write of the process passes here twice.
     */
    private final AtomicInteger changesUnderWay = new AtomicInteger();
    /** Set when an access found the board gone: the next access looks at the file, however recent the last look. */
    private volatile boolean lookAgain;
    /** Whether a thread is looking at the file now, holding this board's monitor; the others go on meanwhile. */
    private volatile boolean looking;

    private final Path databaseFile;
    private final Path file;
    private final ChangeEnds ends;
    private volatile BoardFile boardFile;
    private volatile long nextLookNanos;
    private final long leftoverGraceNanos;

    private ChangeBoard(Path databaseFile, Path file, BoardFile boardFile, long leftoverGraceNanos) {
        this.leftoverGraceNanos = leftoverGraceNanos;
        this.databaseFile = databaseFile;
        this.file = file;
        this.ends = new ChangeEnds(databaseFile, file);
        this.boardFile = boardFile;
        this.nextLookNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOK_EVERY_MS);
    }

    /**
     * The board of this database file, created if none; while it cannot be used, no marks and no announcements. The
     * grace for leftovers is that of the stores' default busy timeout, five seconds (a database passes its own).
     */
    static ChangeBoard open(Path databaseFile) {
        return open(databaseFile, Leftovers.graceMs(5_000));
    }

    /**
     * The board of this database file, as {@link #open(Path)}; changes found left under way by other processes are
     * ended once they have stayed so for the grace given (see {@link Leftovers}).
     */
    static ChangeBoard open(Path databaseFile, long leftoverGraceMs) {
        Path file = databaseFile.resolveSibling(databaseFile.getFileName() + "-changes");
        // Opened again every LOOK_EVERY_MS until it can be used: a failure at start (a cp in progress, a full file
        // table) must not leave this process unannounced for its whole life.
        ChangeBoard board = new ChangeBoard(databaseFile, file, null, TimeUnit.MILLISECONDS.toNanos(leftoverGraceMs));
        board.boardFile = board.openBoardFile(-1);
        return board;
    }

    /**
     * Opens the board file, creating it if missing or empty; null when it cannot be used, said once until it can.
     */
    private BoardFile openBoardFile(int preferredLane) {
        try {
            BoardFile opened = BoardFiles.open(file, databaseFile, preferredLane);
            warned = false;
            return opened;
        } catch (IOException | RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warn(
                        "Cannot use {} to announce changes of {} ({}); caches read each session's row before every"
                                + " request until it can be used",
                        file,
                        databaseFile,
                        e.toString());
            }
            return null;
        }
    }

    @Override
    public Mark mark(String table, SessionScope scope, String id) {
        if (closed) {
            return null;
        }
        return guarded(m -> {
            // Each row in one read: every lane's counters as they stood together, or, read across a write, a row whose
            // counters differ or do not match a mark (a counter only grows), which costs a read of the row and no more.
            BoardFile.Row all = m.row(BoardFile.ALL_ROW);
            BoardFile.Row slot = m.row(BoardFile.rowOf(slotOf(table, scope, id)));
            if (slot.begun() != slot.ended() || all.begun() != all.ended()) {
                return null;
            }
            return new Mark(slot.ended(), all.ended(), m.generation());
        });
    }

    @Override
    public Change begin(String table, SessionScope scope, String id) {
        int slot = slotOf(table, scope, id);
        int row = BoardFile.rowOf(slot);
        return counted(
                slot,
                () -> guarded(m -> {
                    long mine = m.add(row, BoardFile.BEGUN);
                    // Read after this change's own addition: a change another process began at the same time is
                    // seen by this one or sees it (each writes before it reads), and either way neither is alone.
                    BoardFile.Row counters;
                    BoardFile.Row all;
                    try {
                        counters = m.row(row);
                        all = m.row(BoardFile.ALL_ROW);
                    } catch (BoardFile.Gone e) {
                        // Its beginning is written: it must end on the file like any other, only with no mark.
                        lookAgain = true;
                        return new Change(slot, NOT_READ, NOT_READ - 1, NOT_READ, NOT_READ - 1, m.generation(), m);
                    }
                    return new Change(
                            slot,
                            counters.othersBegun() + mine - 1,
                            counters.ended(),
                            all.begun(),
                            all.ended(),
                            m.generation(),
                            m);
                }));
    }

    /**
     * A removal's caller asks for no mark after it (the session is gone), so its beginning and end are one write each,
     * with nothing read.
     */
    @Override
    public Change beginRemoval(String table, SessionScope scope, String id) {
        return beginWithoutMark(slotOf(table, scope, id));
    }

    /** As a removal's: its caller asks for no mark, so nothing is read (see {@link ChangeSignals#beginCreation}). */
    @Override
    public Change beginCreation(String table, SessionScope scope, String id) {
        return beginWithoutMark(slotOf(table, scope, id));
    }

    /** Nothing is read: the writer wants no mark (see {@link ChangeSignals#beginUnmarked}). */
    @Override
    public Change beginUnmarked(String table, SessionScope scope, String id) {
        return beginWithoutMark(slotOf(table, scope, id));
    }

    private Change beginWithoutMark(int slot) {
        return counted(
                slot,
                () -> guarded(m -> {
                    m.add(BoardFile.rowOf(slot), BoardFile.BEGUN);
                    return new Change(slot, NOT_READ, NOT_READ - 1, NOT_READ, NOT_READ - 1, m.generation(), m);
                }));
    }

    @Override
    public Change beginAll() {
        return counted(
                -1,
                () -> guarded(m -> {
                    m.add(BoardFile.ALL_ROW, BoardFile.BEGUN);
                    return new Change(-1, NOT_READ, NOT_READ - 1, NOT_READ, NOT_READ - 1, m.generation(), m);
                }));
    }

    /**
     * Begins a change unless the board is closed, counting it until its end: a change begun and never ended would
     * leave its slot (or, for a sweep, every session) marked "under way" in the file for good, on every node.
     */
    private Change counted(int slot, Supplier<Change> begin) {
        // Counted before closed is looked at, and close sets closed before it looks at the count: a change either
        // sees the board closed, or is seen under way by the close (both are volatile, so one of the two happens).
        changesUnderWay.incrementAndGet();
        if (closed) {
            changeLeft();
            return null;
        }
        Change change = null;
        try {
            change = begin.get();
            if (change == null) {
                // The board could not be written (a full disk, a file size limit, a board cut short under it): the
                // write goes on, and its end announces it late, before its caller answers anyone. A write
                // that committed unannounced would leave other nodes trusting their copies for up to a second.
                change = new Change(slot, UNANNOUNCED, UNANNOUNCED - 1, UNANNOUNCED, UNANNOUNCED - 1, 0);
            }
            return change;
        } finally {
            if (change == null) {
                changeLeft();
            }
        }
    }

    private void changeLeft() {
        if (changesUnderWay.decrementAndGet() == 0 && closed) {
            release();
        }
    }

    @Override
    public Mark end(Change change) {
        if (change == null) {
            return null;
        }
        try {
            if (change.startedBefore() == UNANNOUNCED) {
                // Its beginning could not be written: announced now as a change of all, begun and ended at once, so
                // that every copy trusted from before moves on. Not on its slot, which may be what failed.
                if (guarded(m -> ends.announceLate(m, BoardFile.ALL_ROW)) == null) {
                    ends.warnUnannounced();
                }
                return null;
            }
            return guarded(m -> ends.ended(m, change));
        } finally {
            changeLeft();
        }
    }

    /**
     * Runs an access to the board as it is open now; a board found cut short, or closed under the access (a thread
     * interrupted during a read closes the channel), gives nothing, and is looked at again at once.
     */
    private <T> T guarded(Function<BoardFile, T> access) {
        // A thread whose interrupt flag is set would close the channel for the whole process at its next read or
        // write: the flag is put aside for the board's few system calls and set again after them.
        boolean interrupted = Thread.interrupted();
        try {
            BoardFile m = current();
            if (m == null) {
                return null;
            }
            return access.apply(m);
        } catch (BoardFile.Gone e) {
            lookAgain = true;
            return null;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The board file to use, after looking at the file when the last look is old enough. One thread looks; the others
     * go on with the board as it is meanwhile (a look can wait up to 200 ms for the header's lock, and queueing every
     * writer of the process behind it would stall them all), so a board replaced under the process is used for as long
     * as that look takes beyond the {@value #LOOK_EVERY_MS} ms between looks. A board this process can no longer use
     * (its channel closed), or none, is not used meanwhile: those threads wait for the look, as the changes they would
     * end on it would be lost.
     */
    private BoardFile current() {
        long now = System.nanoTime();
        if (now - nextLookNanos < 0 && !lookAgain) {
            return boardFile;
        }
        if (looking) {
            BoardFile m = boardFile;
            if (m != null && m.isOpen()) {
                return m;
            }
            // The looking thread holds the monitor: this waits for the board it opens.
            synchronized (this) {
                return boardFile;
            }
        }
        synchronized (this) {
            // Looked at again since this thread read the time (threads that came before the flag below was set
            // waited here for that look): no second look.
            if (closed || (System.nanoTime() - nextLookNanos < 0 && !lookAgain)) {
                return boardFile;
            }
            looking = true;
            // Cleared before the look: a board found gone during it asks for the next one at once.
            lookAgain = false;
            try {
                BoardFile m = boardFile;
                if (m == null || !m.isOpen() || !m.isStillAt(file)) {
                    boolean lostLane = m != null && m.isOpen() && m.lostItsLane();
                    if (lostLane) {
                        LOG.warn(
                                "Another process took this process's lane of change board {} (this process lost its lock"
                                        + " when a board of the same file was closed in another class loader); moving to"
                                        + " another lane",
                                file);
                    } else if (m != null) {
                        LOG.warn(
                                "Change board {} was deleted, replaced or set up again while in use; opening it again",
                                file);
                    }
                    if (m != null) {
                        BoardFiles.close(m);
                    }
                    // Back to the lane it left when it is still free: what it began there is evened there.
                    boardFile = openBoardFile(m != null && !lostLane ? m.lane() : -1);
                    if (boardFile != null) {
                        // What this process wrote while it had no board, or on one that was deleted, replaced or whose
                        // lane it lost (where others read nothing, or additions may have been lost), is announced here
                        // as a change of all: every copy trusted on this board is read again.
                        announceMove(boardFile);
                    }
                }
                endLeftovers(boardFile);
                nextLookNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOK_EVERY_MS);
                return boardFile;
            } finally {
                looking = false;
            }
        }
    }

    /** Whether the board in use still has changes it found under way to end, for tests. */
    boolean hasLeftovers() {
        BoardFile m = boardFile;
        return m != null && m.hasLeftovers();
    }

    /**
     * For tests: no look at the file until {@link #lookSoon()} (unless an access finds the board gone), so that a test
     * can act on a board whose file changed under it without a look coming in between on a slow machine.
     */
    void holdLooks() {
        nextLookNanos = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    }

    /** For tests: the next access looks at the file. */
    void lookSoon() {
        nextLookNanos = System.nanoTime();
    }

    /** How many looks for lanes let go of read the board file, for tests. */
    int freedLaneReads() {
        BoardFile m = boardFile;
        return m == null ? 0 : m.freedLaneReads();
    }

    /** How many times the board looked for lanes let go of, for tests. */
    int laneLooks() {
        BoardFile m = boardFile;
        return m == null ? 0 : m.laneLooks();
    }

    /**
     * Looks for lanes let go of since the last look, every grace period, and ends the changes found under way in lanes
     * that had an owner once their grace is over (see {@link Leftovers}).
     */
    private void endLeftovers(BoardFile m) {
        if (m == null) {
            return;
        }
        try {
            long now = System.nanoTime();
            m.lookForFreedLanesIfDue(now, leftoverGraceNanos);
            m.endLeftoversIfDue(now, leftoverGraceNanos);
        } catch (BoardFile.Gone e) {
            lookAgain = true;
        }
    }

    private void announceMove(BoardFile m) {
        try {
            ends.announceLate(m, BoardFile.ALL_ROW);
        } catch (BoardFile.Gone e) {
            lookAgain = true;
        }
    }

    /**
     * Lets go of the board file when its database closes: a server that opens and closes stores, a test suite or a
     * redeployed web application, must not keep a descriptor per store it closed until the collector finds the
     * channel. No mark is given and no change begins afterwards; a change still under way (a sweep or an invalidation
     * racing the stop) ends on the file first, which is let go of when the last one has.
     */
    void close() {
        closed = true;
        if (changesUnderWay.get() == 0) {
            release();
        }
    }

    /** Once closed and no change is under way; a close and a last change may both get here, and the second does nothing. */
    private synchronized void release() {
        BoardFile m = boardFile;
        boardFile = null;
        if (m != null) {
            BoardFiles.close(m);
        }
    }

    static int slotOf(String table, SessionScope scope, String id) {
        // SQLite's table names are not case-sensitive: nodes spelling one table differently share its slots.
        int h = table.toLowerCase(Locale.ROOT).hashCode();
        h = 31 * h + Objects.hashCode(scope.contextPath());
        h = 31 * h + Objects.hashCode(scope.virtualHost());
        h = 31 * h + id.hashCode();
        // Spread the bits (a finalizer step of MurmurHash3) so that ids differing in their last characters spread.
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & (SLOTS - 1);
    }
}
