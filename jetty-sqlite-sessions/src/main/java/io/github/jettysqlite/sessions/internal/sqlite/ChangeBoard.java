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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
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

    private ChangeBoard(MappedByteBuffer board) {
        this.board = board;
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
                } else if (!isBoard(channel)) {
                    LOG.warn(
                            "{} is not a change board of this version; caches of {} read each session's row before"
                                    + " every request instead. Delete the file while no server uses the database.",
                            file,
                            databaseFile);
                    return NONE;
                }
            }
            return new ChangeBoard(channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE));
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Cannot use {} to announce changes of {} ({}); caches read each session's row before every request",
                    file,
                    databaseFile,
                    e.toString());
            return NONE;
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
        int slot = slotOf(table, scope, id);
        int at = offsetOf(slot);
        long allStarted = get(ALL_OFFSET);
        long allEnded = get(ALL_OFFSET + 8);
        // Ended is read before started is moved on: equal, they say no other change of the slot was under way.
        long endedBefore = get(at + 8);
        long startedBefore = (long) LONGS.getAndAdd(board, at, 1L);
        return new Change(slot, startedBefore, endedBefore, allStarted, allEnded);
    }

    @Override
    public Change beginAll() {
        long before = (long) LONGS.getAndAdd(board, ALL_OFFSET, 1L);
        return new Change(-1, before, -1, before, -1);
    }

    @Override
    public Mark end(Change change) {
        if (change == null) {
            return null;
        }
        if (change.slot() < 0) {
            LONGS.getAndAdd(board, ALL_OFFSET + 8, 1L);
            return null;
        }
        int at = offsetOf(change.slot());
        long ended = (long) LONGS.getAndAdd(board, at + 8, 1L) + 1;
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

    private long get(int offset) {
        return (long) LONGS.getVolatile(board, offset);
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
