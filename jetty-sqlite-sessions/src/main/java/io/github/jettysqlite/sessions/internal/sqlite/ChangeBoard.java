package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SessionScope;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChangeSignals} of an SQLite file, kept in shared memory beside it: a small file ({@code <database>-changes})
 * that every process using the database maps, as SQLite maps its own {@code -shm} file. Every process of one SQLite
 * file is on one machine (its write-ahead log needs shared memory), so a counter one process adds to is seen by the
 * next read of any other, and a cache checks a session by reading two counters instead of its row.
 *
 * <p>Sessions hash onto a fixed number of slots; each slot, and one for all sessions, holds two counters: changes
 * begun and changes ended. A slot whose counters differ has a change under way (or a writer died during one), and
 * gives no mark: caches then read the row, as they do for every session whenever the board cannot be used. Two
 * sessions sharing a slot only make each other's caches read more often.
 */
public final class ChangeBoard implements ChangeSignals {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeBoard.class);
    private static final byte[] MAGIC = "JSSCHGB1".getBytes(StandardCharsets.US_ASCII);
    /** Slots for sessions; a power of two. 4 MiB of counters would not make collisions rarer in a useful way. */
    static final int SLOTS = 16_384;

    private static final int HEADER_BYTES = 64;
    private static final int ALL_OFFSET = 16;
    private static final int SIZE = HEADER_BYTES + SLOTS * 16;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final MappedByteBuffer board;
    private final Path file;
    private final FileIdentity identity;
    private volatile boolean broken;

    private ChangeBoard(MappedByteBuffer board, Path file) {
        this.board = board;
        this.file = file;
        this.identity = FileIdentity.of(file);
    }

    /** The board of this database file, created if none; {@link ChangeSignals#NONE} when it cannot be used. */
    static ChangeSignals open(Path databaseFile) {
        Path file = databaseFile.resolveSibling(databaseFile.getFileName() + "-changes");
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            try (FileLock ignored = channel.lock()) {
                if (channel.size() == 0) {
                    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
                    header.put(MAGIC).putInt(SLOTS).flip();
                    channel.write(header, 0);
                    channel.write(ByteBuffer.allocate(1), SIZE - 1);
                    channel.force(true);
                    sharePermissions(databaseFile, file);
                } else if (!isBoard(channel)) {
                    LOG.warn(
                            "{} is not a change board of this version; caches of {} read each session's row before"
                                    + " every request instead. Delete the file while no server uses the database.",
                            file,
                            databaseFile);
                    return NONE;
                }
            }
            return new ChangeBoard(channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE), file);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Cannot use {} to announce changes of {} ({}); caches read each session's row before every request",
                    file,
                    databaseFile,
                    e.toString());
            return NONE;
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
        return guarded(() -> markAt(table, scope, id));
    }

    private Mark markAt(String table, SessionScope scope, String id) {
        if (!usable()) {
            return null;
        }
        int at = offsetOf(slotOf(table, scope, id));
        long allStarted = get(ALL_OFFSET);
        long allEnded = get(ALL_OFFSET + 8);
        long started = get(at);
        long ended = get(at + 8);
        if (started != ended || allStarted != allEnded) {
            return null;
        }
        return new Mark(ended, allEnded);
    }

    @Override
    public Change begin(String table, SessionScope scope, String id) {
        return guarded(() -> beginAt(table, scope, id));
    }

    private Change beginAt(String table, SessionScope scope, String id) {
        int slot = slotOf(table, scope, id);
        int at = offsetOf(slot);
        long allStarted = get(ALL_OFFSET);
        long allEnded = get(ALL_OFFSET + 8);
        // Ended is read before started is moved on: equal, they say no other change of the slot was under way.
        long endedBefore = get(at + 8);
        long startedBefore = add(at);
        return new Change(slot, startedBefore, endedBefore, allStarted, allEnded);
    }

    @Override
    public Change beginAll() {
        return guarded(() -> beginAllAt());
    }

    private Change beginAllAt() {
        long before = add(ALL_OFFSET);
        return new Change(-1, before, -1, before, -1);
    }

    @Override
    public Mark end(Change change) {
        return guarded(() -> endAt(change));
    }

    private Mark endAt(Change change) {
        if (change == null) {
            return null;
        }
        if (change.slot() < 0) {
            add(ALL_OFFSET + 8);
            return null;
        }
        int at = offsetOf(change.slot());
        long ended = add(at + 8) + 1;
        // Known current only when this was the one change of its slot (begun when none was under way, and none
        // begun since) and no change of all began or was under way meanwhile.
        boolean alone = change.startedBefore() == change.endedBefore()
                && ended == change.startedBefore() + 1
                && get(at) == ended
                && change.allStartedBefore() == change.allEndedBefore()
                && get(ALL_OFFSET) == change.allStartedBefore()
                && get(ALL_OFFSET + 8) == change.allEndedBefore();
        return alone ? new Mark(ended, change.allEndedBefore()) : null;
    }

    /** Runs an access to the board; once the board is found unusable, nothing is announced nor trusted. */
    private <T> T guarded(Supplier<T> access) {
        if (broken) {
            return null;
        }
        try {
            return access.get();
        } catch (IllegalStateException e) {
            LOG.warn(
                    "{}; caches read each session's row before every request until the server restarts",
                    e.getMessage());
            return null;
        }
    }

    /**
     * False once the board cannot be trusted: its path names another file or none (deleted or replaced under running
     * servers, so a process started since announces elsewhere), or the mapped file was cut short. Caches then read
     * every row; writers still announce here, which costs nothing.
     */
    private boolean usable() {
        if (broken) {
            return false;
        }
        if (!identity.unchanged()) {
            broken = true;
            LOG.warn(
                    "Change board {} {} while in use; caches read each session's row before every request until"
                            + " the server restarts",
                    file,
                    identity.lost());
            return false;
        }
        return true;
    }

    private long get(int offset) {
        try {
            return (long) LONGS.getVolatile(board, offset);
        } catch (InternalError e) {
            throw cutShort(e);
        }
    }

    private long add(int offset) {
        try {
            return (long) LONGS.getAndAdd(board, offset, 1L);
        } catch (InternalError e) {
            throw cutShort(e);
        }
    }

    /** The JVM reports a mapped file cut short (truncated by someone) as an InternalError at the next access. */
    private IllegalStateException cutShort(InternalError e) {
        broken = true;
        return new IllegalStateException("Change board " + file + " was cut short while in use", e);
    }

    private static int offsetOf(int slot) {
        return HEADER_BYTES + slot * 16;
    }

    static int slotOf(String table, SessionScope scope, String id) {
        int h = table.hashCode();
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
