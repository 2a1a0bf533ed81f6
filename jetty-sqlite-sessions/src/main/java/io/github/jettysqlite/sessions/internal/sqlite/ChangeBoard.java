package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SessionScope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChangeSignals} of an SQLite file, kept in a small file beside it ({@code <database>-changes}) that every
 * process using the database reads and writes. Every process of one SQLite file is on one machine (its write-ahead log
 * needs shared memory), so a counter one process adds to is in the page cache the next read of any other sees, and a
 * cache checks a session by reading two pairs of counters (two {@code pread}s) instead of its row. A change adds to a
 * counter under a lock on its eight bytes ({@code fcntl}), so processes never lose each other's additions.
 *
 * <p>The file is read and written, never mapped into memory: a mapped file that someone truncates (a {@code cp} over
 * it, say) kills the processes touching it, where a read past its end only comes back short, which here means "no
 * mark", and a cache reads the row.
 *
 * <p>Sessions hash onto a fixed number of slots; each slot, and one for all sessions, holds two counters: changes
 * begun and changes ended. A slot whose counters differ has a change under way (or a writer died during one), and
 * gives no mark: caches then read the row, as they do for every session whenever the board cannot be used. Two
 * sessions sharing a slot only make each other's caches read more often.
 *
 * <p>The file is looked at every {@value #LOOK_EVERY_MS} ms: deleted or replaced under running servers, it is opened
 * again (created afresh if gone or emptied), so that every process, old and new, announces on the same board; one cut
 * short otherwise is no board any more, and caches read every row until it is deleted. Each board is born with a random generation that
 * marks carry, so that no trust taken on one board holds on the next.
 */
public final class ChangeBoard implements ChangeSignals {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeBoard.class);
    private static final byte[] MAGIC = "JSSCHGB1".getBytes(StandardCharsets.US_ASCII);
    /** Slots for sessions; a power of two. More would not make collisions rarer in a way that matters. */
    static final int SLOTS = 16_384;

    static final long LOOK_EVERY_MS = 20;
    private static final int HEADER_BYTES = 64;
    private static final int ALL_OFFSET = 16;
    private static final int GENERATION_OFFSET = 40;
    private static final int SIZE = HEADER_BYTES + SLOTS * 16;
    /** How long a change waits for another process's lock on a pair before it goes unannounced. */
    private static final long LOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Where in a pair of counters each is. */
    private static final int BEGUN = 0;

    private static final int ENDED = 8;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The board file open, and what the file was when it was opened. */
    private record Mapping(FileChannel channel, Object fileKey, long generation) {}

    /** The file was cut short (or closed under a read): no counter can be trusted from it. */
    private static final class BoardGone extends RuntimeException {
        BoardGone() {
            super(null, null, false, false);
        }
    }

    /**
     * One pair at a time per process: a JVM may not hold two overlapping file locks, and the kernel, which checks
     * byte-range locks for deadlock per process rather than per thread, would report false deadlocks between two
     * processes each holding one pair and waiting for another.
     */
    private final Object pairLock = new Object();

    private volatile boolean warned;
    private volatile boolean closed;

    private final Path databaseFile;
    private final Path file;
    private volatile Mapping mapping;
    private volatile long nextLookNanos;

    private ChangeBoard(Path databaseFile, Path file, Mapping mapping) {
        this.databaseFile = databaseFile;
        this.file = file;
        this.mapping = mapping;
        this.nextLookNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOK_EVERY_MS);
    }

    /** The board of this database file, created if none; while it cannot be used, no marks and no announcements. */
    static ChangeBoard open(Path databaseFile) {
        Path file = databaseFile.resolveSibling(databaseFile.getFileName() + "-changes");
        // Opened again every LOOK_EVERY_MS until it can be used: a failure at start (a cp in progress, a full file
        // table) must not leave this process unannounced for its whole life.
        ChangeBoard board = new ChangeBoard(databaseFile, file, null);
        board.mapping = board.map();
        return board;
    }

    /**
     * Opens the board file, creating it if missing or empty; null when it cannot be used, said once until it can.
     */
    private Mapping map() {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(
                    file,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    // A link planted where the board goes must not make some other file a board.
                    LinkOption.NOFOLLOW_LINKS);
            try (FileLock ignored = channel.lock()) {
                if (channel.size() == 0) {
                    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
                    header.put(MAGIC).putInt(SLOTS);
                    header.putLong(GENERATION_OFFSET, RANDOM.nextLong()).rewind();
                    channel.write(header, 0);
                    channel.write(ByteBuffer.allocate(1), SIZE - 1);
                    channel.force(true);
                    sharePermissions(databaseFile, file);
                } else if (!isBoard(channel)) {
                    throw new IOException("not a change board of this version (delete the file)");
                }
                Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                ByteBuffer generation = ByteBuffer.allocate(8);
                channel.read(generation, GENERATION_OFFSET);
                warned = false;
                return new Mapping(channel, key, generation.getLong(0));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
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

    /**
     * Gives the board the database file's permissions, as SQLite gives them to its {@code -wal} and {@code -shm}
     * files: every process that may write the database must be able to announce its writes here, or other processes'
     * caches would not see them until their copies' trust runs out.
     */
    private static void sharePermissions(Path databaseFile, Path board) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(databaseFile);
            Files.setPosixFilePermissions(board, permissions);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("Cannot give {} the permissions of {}", board, databaseFile, e);
        }
    }

    private static boolean isBoard(FileChannel channel) throws IOException {
        if (channel.size() != SIZE) {
            return false;
        }
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 4);
        channel.read(header, 0);
        header.flip();
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        return Arrays.equals(magic, MAGIC) && header.getInt() == SLOTS;
    }

    @Override
    public Mark mark(String table, SessionScope scope, String id) {
        return guarded(m -> {
            // Each pair in one read: begun and ended as they stood together, or, read across a write, a pair that
            // differs or does not match a mark (a counter only grows), which costs a read of the row and no more.
            ByteBuffer all = pair(m, ALL_OFFSET);
            ByteBuffer slot = pair(m, offsetOf(slotOf(table, scope, id)));
            long allEnded = all.getLong(8);
            long ended = slot.getLong(8);
            if (slot.getLong(0) != ended || all.getLong(0) != allEnded) {
                return null;
            }
            return new Mark(ended, allEnded, m.generation());
        });
    }

    @Override
    public Change begin(String table, SessionScope scope, String id) {
        return guarded(m -> {
            int slot = slotOf(table, scope, id);
            ByteBuffer all = pair(m, ALL_OFFSET);
            // Begun and ended as they were when this change began: equal, no other change of the slot was under way.
            ByteBuffer before = addOne(m, offsetOf(slot), BEGUN);
            return new Change(
                    slot,
                    before.getLong(BEGUN),
                    before.getLong(ENDED),
                    all.getLong(BEGUN),
                    all.getLong(ENDED),
                    m.generation());
        });
    }

    @Override
    public Change beginAll() {
        return guarded(m -> {
            long before = addOne(m, ALL_OFFSET, BEGUN).getLong(BEGUN);
            return new Change(-1, before, -1, before, -1, m.generation());
        });
    }

    @Override
    public Mark end(Change change) {
        if (change == null) {
            return null;
        }
        return guarded(m -> {
            if (m.generation() != change.board()) {
                // The board was replaced meanwhile: this change's beginning is on the old one.
                return null;
            }
            if (change.slot() < 0) {
                addOne(m, ALL_OFFSET, ENDED);
                return null;
            }
            ByteBuffer before = addOne(m, offsetOf(change.slot()), ENDED);
            long ended = before.getLong(ENDED) + 1;
            ByteBuffer all = pair(m, ALL_OFFSET);
            // Known current only when this was the one change of its slot (begun when none was under way, and none
            // begun since) and no change of all began or was under way meanwhile.
            boolean alone = change.startedBefore() == change.endedBefore()
                    && ended == change.startedBefore() + 1
                    && before.getLong(BEGUN) == ended
                    && change.allStartedBefore() == change.allEndedBefore()
                    && all.getLong(BEGUN) == change.allStartedBefore()
                    && all.getLong(ENDED) == change.allEndedBefore();
            return alone ? new Mark(ended, change.allEndedBefore(), m.generation()) : null;
        });
    }

    /**
     * Runs an access to the board as it is open now; a board found cut short, or closed under the access (a thread
     * interrupted during a read closes the channel), gives nothing, and is looked at again at once.
     */
    private <T> T guarded(Function<Mapping, T> access) {
        // A thread whose interrupt flag is set would close the channel for the whole process at its next read or
        // lock: the flag is put aside for the board's few system calls and set again after them.
        boolean interrupted = Thread.interrupted();
        try {
            Mapping m = current();
            if (m == null) {
                return null;
            }
            return access.apply(m);
        } catch (BoardGone e) {
            nextLookNanos = System.nanoTime();
            return null;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The mapping to use, after looking at the file when the last look is old enough. */
    private Mapping current() {
        long now = System.nanoTime();
        if (now - nextLookNanos < 0) {
            return mapping;
        }
        synchronized (this) {
            if (closed || now - nextLookNanos < 0) {
                return mapping;
            }
            nextLookNanos = now + TimeUnit.MILLISECONDS.toNanos(LOOK_EVERY_MS);
            Mapping m = mapping;
            if (m == null || !m.channel().isOpen() || !sameFile(m)) {
                if (m != null) {
                    LOG.warn(
                            "Change board {} was deleted, replaced or set up again while in use; opening it again",
                            file);
                    closeQuietly(m.channel());
                }
                mapping = map();
            }
            return mapping;
        }
    }

    /**
     * Lets go of the board file when its database closes (every write has ended by then): a server that opens and
     * closes stores, a test suite or a redeployed web application, must not keep a descriptor per store it closed
     * until the collector finds the channel. Marks and announcements give nothing afterwards.
     */
    void close() {
        synchronized (this) {
            closed = true;
            Mapping m = mapping;
            mapping = null;
            if (m != null) {
                closeQuietly(m.channel());
            }
        }
    }

    private boolean sameFile(Mapping m) {
        try {
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!Objects.equals(now.fileKey(), m.fileKey()) || now.size() != SIZE) {
                return false;
            }
            // Emptied and set up again by another process since this one looked: same file, another board.
            ByteBuffer generation = ByteBuffer.allocate(8);
            return m.channel().read(generation, GENERATION_OFFSET) == 8 && generation.getLong(0) == m.generation();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The two counters (begun, ended) at the offset, read from the file at once. */
    private static ByteBuffer pair(Mapping m, int offset) {
        ByteBuffer pair = ByteBuffer.allocate(16);
        try {
            if (m.channel().read(pair, offset) != 16) {
                throw new BoardGone();
            }
        } catch (IOException e) {
            throw new BoardGone();
        }
        return pair;
    }

    /**
     * Adds one to a counter of the pair at the offset, holding this process's lock on the pair and the file's lock on
     * its sixteen bytes, and returns the pair as it was. Nothing is written when the pair cannot be read whole: a write
     * past the end of a board cut short would only extend it.
     */
    private ByteBuffer addOne(Mapping m, int offset, int which) {
        synchronized (pairLock) {
            try (FileLock ignored = lockPair(m, offset)) {
                ByteBuffer before = pair(m, offset);
                ByteBuffer after = ByteBuffer.allocate(8).putLong(0, before.getLong(which) + 1);
                if (m.channel().write(after, offset + which) != 8) {
                    throw new BoardGone();
                }
                return before;
            } catch (IOException | RuntimeException e) {
                if (e instanceof BoardGone gone) {
                    throw gone;
                }
                throw new BoardGone();
            }
        }
    }

    /**
     * The file's lock on a pair, waited for at most {@link #LOCK_WAIT_NANOS}: a process stopped while holding it (a
     * debugger, SIGSTOP) must not hold every other process's writes of that session.
     */
    private static FileLock lockPair(Mapping m, int offset) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT_NANOS;
        while (true) {
            FileLock lock = m.channel().tryLock(offset, 16, false);
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BoardGone();
            }
            LockSupport.parkNanos(20_000);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do: the board is being let go of
            }
        }
    }

    private static int offsetOf(int slot) {
        return HEADER_BYTES + slot * 16;
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
