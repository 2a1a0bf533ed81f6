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
    /** In-process locks before the file lock: a JVM may not hold two overlapping file locks at once. */
    private static final int STRIPES = 64;
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

    private final Object[] stripes = new Object[STRIPES + 1];

    private final Path databaseFile;
    private final Path file;
    private volatile Mapping mapping;
    private volatile long nextLookNanos;

    private ChangeBoard(Path databaseFile, Path file, Mapping mapping) {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        this.databaseFile = databaseFile;
        this.file = file;
        this.mapping = mapping;
        this.nextLookNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOK_EVERY_MS);
    }

    /** The board of this database file, created if none; {@link ChangeSignals#NONE} when it cannot be used. */
    static ChangeSignals open(Path databaseFile) {
        Path file = databaseFile.resolveSibling(databaseFile.getFileName() + "-changes");
        Mapping mapping = map(databaseFile, file);
        return mapping == null ? NONE : new ChangeBoard(databaseFile, file, mapping);
    }

    /** Maps the board file, creating it if missing or empty; null (and a warning) when it cannot be used. */
    private static Mapping map(Path databaseFile, Path file) {
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
                    LOG.warn(
                            "{} is not a change board of this version; caches of {} read each session's row before"
                                    + " every request instead. Delete the file.",
                            file,
                            databaseFile);
                    channel.close();
                    return null;
                }
                Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                ByteBuffer generation = ByteBuffer.allocate(8);
                channel.read(generation, GENERATION_OFFSET);
                return new Mapping(channel, key, generation.getLong(0));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            LOG.warn(
                    "Cannot use {} to announce changes of {} ({}); caches read each session's row before every request",
                    file,
                    databaseFile,
                    e.toString());
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
        Mapping m = current();
        if (m == null) {
            return null;
        }
        try {
            return access.apply(m);
        } catch (BoardGone e) {
            nextLookNanos = System.nanoTime();
            return null;
        }
    }

    /** The mapping to use, after looking at the file when the last look is old enough. */
    private Mapping current() {
        long now = System.nanoTime();
        if (now - nextLookNanos < 0) {
            return mapping;
        }
        synchronized (this) {
            if (now - nextLookNanos < 0) {
                return mapping;
            }
            nextLookNanos = now + TimeUnit.MILLISECONDS.toNanos(LOOK_EVERY_MS);
            Mapping m = mapping;
            if (m == null || !m.channel().isOpen() || !sameFile(m)) {
                if (m != null) {
                    LOG.warn("Change board {} was deleted, replaced or cut short while in use; opening it again", file);
                    closeQuietly(m.channel());
                }
                mapping = map(databaseFile, file);
            }
            return mapping;
        }
    }

    private boolean sameFile(Mapping m) {
        try {
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return Objects.equals(now.fileKey(), m.fileKey()) && now.size() == SIZE;
        } catch (IOException e) {
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
        int stripe = offset < HEADER_BYTES ? STRIPES : (offset / 16) % STRIPES;
        synchronized (stripes[stripe]) {
            try (FileLock ignored = m.channel().lock(offset, 16, false)) {
                ByteBuffer before = pair(m, offset);
                ByteBuffer after = ByteBuffer.allocate(8).putLong(0, before.getLong(which) + 1);
                if (m.channel().write(after, offset + which) != 8) {
                    throw new BoardGone();
                }
                return before;
            } catch (IOException e) {
                throw new BoardGone();
            }
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
