package io.github.jettysqlite.sessions.internal.sqlite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One change board file as this process opened it: its layout, this process's lane in it, and reading and adding to
 * its counters. What the counters mean is {@link ChangeBoard}'s; this class knows bytes, locks and whether the file is
 * still the one it opened.
 *
 * <p>Every board that opens the file takes a lane of its own (held by a lock on a byte past the end of the file, which
 * the system lets go of when the process dies) and writes only the counters of its lane; a reader adds the lanes up.
 * No write waits for another process, and an addition is one write of the value the lane's owner already knows: no
 * lock, read, write and unlock of a shared counter on every announcement.
 *
 * <p>Layout: a 64-byte header (magic, number of slots, number of lanes, the board's random generation at
 * {@value #GENERATION_OFFSET}); one row for all sessions, then one row per slot, each holding every lane's pair of
 * counters (changes begun, changes ended, eight bytes each); then each lane's owner's random token, by which an owner
 * finds out that another process took its lane.
 */
final class BoardFile {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeBoard.class);
    private static final byte[] MAGIC = "JSSCHGB2".getBytes(StandardCharsets.US_ASCII);
    /** The layout before lanes: a board this version sets up again, as the processes that used it are gone. */
    private static final byte[] EARLIER_MAGIC = "JSSCHGB1".getBytes(StandardCharsets.US_ASCII);
    /** Slots for sessions; a power of two. More would not make collisions rarer in a way that matters. */
    static final int SLOTS = 8_192;
    /** Boards that can use one file at once: processes, or class loaders holding this library, on one database. */
    static final int LANES = 32;

    /** The row of the counters of all sessions. */
    static final int ALL_ROW = 0;
    /** Which counter of a lane's pair. */
    static final int BEGUN = 0;

    static final int ENDED = 1;
    private static final int HEADER_BYTES = 64;
    private static final int GENERATION_OFFSET = 40;
    private static final int ROW_BYTES = LANES * 16;
    private static final long TOKENS_OFFSET = HEADER_BYTES + (long) (SLOTS + 1) * ROW_BYTES;
    static final long SIZE = TOKENS_OFFSET + LANES * 8L;
    /** Where each lane's lock is: past the end, so that neither reads nor writes of the counters ever meet it. */
    private static final long LANE_LOCKS_OFFSET = SIZE + 4096;
    /** How long opening waits for another process setting the file up. */
    private static final long LOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Locks that order the additions of this process's threads to one counter, so the file never goes backwards. */
    private static final int STRIPES = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The file was cut short (or closed under a read): no counter can be trusted from it. */
    static final class Gone extends RuntimeException {
        Gone() {
            super(null, null, false, false);
        }
    }

    /** A row's counters: the other lanes' summed as the file held them, and this board's own as it wrote them. */
    record Row(long othersBegun, long othersEnded, long ownBegun, long ownEnded) {
        long begun() {
            return othersBegun + ownBegun;
        }

        long ended() {
            return othersEnded + ownEnded;
        }
    }

    private final FileChannel channel;
    private final Object fileKey;
    private final long generation;
    private final int lane;
    private final long token;
    private volatile FileLock laneLock;
    /** This lane's counters, begun and ended per row: only this board writes them, so it need never read them. */
    private final AtomicLongArray own;

    private final Object[] stripes = new Object[STRIPES];

    private BoardFile(
            FileChannel channel,
            Object fileKey,
            long generation,
            int lane,
            long token,
            FileLock laneLock,
            AtomicLongArray own) {
        this.channel = channel;
        this.fileKey = fileKey;
        this.generation = generation;
        this.lane = lane;
        this.token = token;
        this.laneLock = laneLock;
        this.own = own;
        Arrays.setAll(stripes, i -> new Object());
    }

    /**
     * Opens the board file, setting it up when missing, empty or in the earlier layout (with the database file's
     * permissions), and takes a free lane. The caller holds {@link BoardFiles}' lock, and closes the channel through
     * it when this fails.
     *
     * @throws IOException when it cannot be opened, holds something else than a board, or has no free lane
     */
    static BoardFile open(FileChannel channel, Path file, Path databaseFile) throws IOException {
        long generation;
        try (FileLock ignored = waitFor(() -> channel.tryLock(0, HEADER_BYTES, false))) {
            if (channel.size() == 0 || isEarlierBoard(channel) || wasCutShort(channel)) {
                channel.truncate(0);
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
                header.put(MAGIC).putInt(SLOTS).putInt(LANES);
                header.putLong(GENERATION_OFFSET, RANDOM.nextLong()).rewind();
                channel.write(header, 0);
                channel.write(ByteBuffer.allocate(1), SIZE - 1);
                channel.force(true);
                sharePermissions(databaseFile, file);
            } else if (!isBoard(channel)) {
                throw new IOException("not a change board of this version (delete the file)");
            }
            ByteBuffer read = ByteBuffer.allocate(8);
            channel.read(read, GENERATION_OFFSET);
            generation = read.getLong(0);
        }
        Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
        for (int lane = 0; lane < LANES; lane++) {
            FileLock lock = tryLane(channel, lane);
            if (lock != null) {
                try {
                    long token = RANDOM.nextLong();
                    AtomicLongArray own = readLane(channel, lane);
                    if (channel.write(ByteBuffer.allocate(8).putLong(0, token), tokenOffset(lane)) != 8) {
                        throw new IOException("cannot write the board's lane token");
                    }
                    return new BoardFile(channel, key, generation, lane, token, lock, own);
                } catch (IOException | RuntimeException e) {
                    lock.release();
                    throw e;
                }
            }
        }
        throw new IOException("each of its " + LANES + " lanes is taken by another process or class loader");
    }

    /** The lane's lock, or null when another process (or another board in this JVM) holds it. */
    private static FileLock tryLane(FileChannel channel, int lane) throws IOException {
        try {
            return channel.tryLock(LANE_LOCKS_OFFSET + lane, 1, false);
        } catch (OverlappingFileLockException heldInThisJvm) {
            return null;
        }
    }

    /** A lane's counters as its last owner left them: a new owner goes on from there, so no counter goes back. */
    private static AtomicLongArray readLane(FileChannel channel, int lane) throws IOException {
        AtomicLongArray counters = new AtomicLongArray((SLOTS + 1) * 2);
        int rowsAtOnce = 128;
        ByteBuffer rows = ByteBuffer.allocate(rowsAtOnce * ROW_BYTES);
        for (int first = 0; first <= SLOTS; first += rowsAtOnce) {
            int count = Math.min(rowsAtOnce, SLOTS + 1 - first);
            rows.clear().limit(count * ROW_BYTES);
            long at = HEADER_BYTES + (long) first * ROW_BYTES;
            while (rows.hasRemaining()) {
                if (channel.read(rows, at + rows.position()) < 0) {
                    throw new IOException("the change board was cut short");
                }
            }
            for (int r = 0; r < count; r++) {
                int offset = r * ROW_BYTES + lane * 16;
                counters.set((first + r) * 2 + BEGUN, rows.getLong(offset));
                counters.set((first + r) * 2 + ENDED, rows.getLong(offset + 8));
            }
        }
        return counters;
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
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 8);
        channel.read(header, 0);
        header.flip();
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        return Arrays.equals(magic, MAGIC) && header.getInt() == SLOTS && header.getInt() == LANES;
    }

    /**
     * Whether the file is a board that was emptied and then extended by a late write of a process that had not looked
     * yet: no header (all zeros) and no longer than a board.
     */
    private static boolean wasCutShort(FileChannel channel) throws IOException {
        if (channel.size() > SIZE) {
            return false;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        channel.read(header, 0);
        return Arrays.equals(header.array(), new byte[HEADER_BYTES]);
    }

    private static boolean isEarlierBoard(FileChannel channel) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(EARLIER_MAGIC.length);
        channel.read(magic, 0);
        return Arrays.equals(magic.array(), EARLIER_MAGIC);
    }

    /** The random number this board was born with; marks carry it, so no trust outlives the board. */
    long generation() {
        return generation;
    }

    Object fileKey() {
        return fileKey;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Whether the file at {@code path} is still this board, and this lane still this board's: not deleted, replaced,
     * cut short, nor emptied and set up again by another process since this one opened it, and no other process took
     * the lane (which it can only when this process lost its lock, see {@link BoardFiles}).
     */
    boolean isStillAt(Path path) {
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!Objects.equals(now.fileKey(), fileKey) || now.size() != SIZE) {
                return false;
            }
            ByteBuffer generation = ByteBuffer.allocate(8);
            ByteBuffer token = ByteBuffer.allocate(8);
            return channel.read(generation, GENERATION_OFFSET) == 8
                    && generation.getLong(0) == this.generation
                    && channel.read(token, tokenOffset(lane)) == 8
                    && token.getLong(0) == this.token;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether another process took this board's lane (read at a look, after {@link #isStillAt} said no). */
    boolean lostItsLane() {
        try {
            ByteBuffer read = ByteBuffer.allocate(8);
            return channel.read(read, tokenOffset(lane)) == 8 && read.getLong(0) != token;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Where a lane's owner's token is. */
    static long tokenOffset(int lane) {
        return TOKENS_OFFSET + lane * 8L;
    }

    static int rowOf(int slot) {
        return slot + 1;
    }

    /** A row's counters: the other lanes' read from the file in one read, this board's own as it wrote them. */
    Row row(int row) {
        ByteBuffer read = ByteBuffer.allocate(ROW_BYTES);
        try {
            if (channel.read(read, HEADER_BYTES + (long) row * ROW_BYTES) != ROW_BYTES) {
                throw new Gone();
            }
        } catch (IOException e) {
            throw new Gone();
        }
        long begun = 0;
        long ended = 0;
        for (int l = 0; l < LANES; l++) {
            if (l != lane) {
                begun += read.getLong(l * 16);
                ended += read.getLong(l * 16 + 8);
            }
        }
        return new Row(begun, ended, own.get(row * 2 + BEGUN), own.get(row * 2 + ENDED));
    }

    /**
     * Adds one to a counter of this lane in the row and returns the new value. The value is known here, so this is
     * one write; it is made under a lock per few rows, so that two threads' values reach the file in order.
     */
    long add(int row, int which) {
        int index = row * 2 + which;
        synchronized (stripes[row & (STRIPES - 1)]) {
            long value = own.get(index) + 1;
            write(ByteBuffer.allocate(8).putLong(0, value), laneOffset(row) + which * 8L);
            own.set(index, value);
            return value;
        }
    }

    /** Adds one to both counters of this lane in the row in one write: a change announced after it happened. */
    void addBoth(int row) {
        synchronized (stripes[row & (STRIPES - 1)]) {
            long begun = own.get(row * 2 + BEGUN) + 1;
            long ended = own.get(row * 2 + ENDED) + 1;
            write(ByteBuffer.allocate(16).putLong(0, begun).putLong(8, ended), laneOffset(row));
            own.set(row * 2 + BEGUN, begun);
            own.set(row * 2 + ENDED, ended);
        }
    }

    private long laneOffset(int row) {
        return HEADER_BYTES + (long) row * ROW_BYTES + lane * 16L;
    }

    /**
     * Writes within the board. A board cut short since its last look is extended by this write (no read comes first
     * to find out, which would double the cost of every announcement); the next look finds the file the wrong size and
     * it is set up again (see {@link #open}).
     */
    private void write(ByteBuffer bytes, long at) {
        int length = bytes.remaining();
        try {
            if (channel.write(bytes, at) != length) {
                throw new Gone();
            }
        } catch (IOException e) {
            throw new Gone();
        }
    }

    /**
     * Takes this board's lane lock again after a channel of the same file was closed in this process, which let go of
     * every lock the process held on the file. False when another process took the lane in between.
     */
    boolean retakeLane() {
        try {
            FileLock before = laneLock;
            if (before != null) {
                before.release();
            }
            laneLock = tryLane(channel, lane);
            return laneLock != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A lock that may be taken now. */
    @FunctionalInterface
    private interface LockAttempt {
        /** The lock, or null when another process holds it. */
        FileLock tryLock() throws IOException;
    }

    /**
     * Tries for a lock until {@link #LOCK_WAIT_NANOS} have passed: a process stopped while setting the file up (a
     * debugger, SIGSTOP) must not stop others from opening it. A lock held within this JVM (the library loaded twice,
     * by two web applications' class loaders) counts as held, not as a failure at once.
     */
    private static FileLock waitFor(LockAttempt attempt) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT_NANOS;
        while (true) {
            try {
                FileLock lock = attempt.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException heldInThisJvm) {
                // waited for like another process's lock
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("another process held the change board's header lock too long");
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /** The channel, for {@link BoardFiles} to close. */
    FileChannel channel() {
        return channel;
    }
}
