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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
 *
 * <p>A lane can change hands while its former owner still writes to it: a process killed during a change, or one that
 * lost its lock (another class loader closed a channel of the file) and has not looked at its token yet. So that a
 * lane never shows one value for two different states of a row, the new owner of a lane that had one (its token is
 * set) counts on from {@value #TAKEOVER_STEP} past the values it found (the file shows them until it first writes a
 * counter): its values and the former owner's never meet. Rows left with a change begun and not ended (the owner
 * died, or ended it elsewhere) are ended a grace period after a board finds them, when it opens or when it finds
 * that lane let go of (see {@link Leftovers}), and a row in
 * which the owner finds counters it did not write is written afresh, so that no row stays "under way" for good.
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
    /**
     * How far past a former owner's values a lane's new owner counts: more than a former owner could ever add to them
     * (2^32 changes), so no value either writes is one the other wrote.
     */
    static final long TAKEOVER_STEP = 1L << 32;
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
    private final Path path;
    private final Object fileKey;
    private final long generation;
    private final int lane;
    private final long token;
    private volatile FileLock laneLock;
    /**
     * This lane's counters, begun and ended per row, as this board last wrote them; for a counter it has not written,
     * {@link #TAKEOVER_STEP} past what it found (which the file shows until the first write).
     */
    private final AtomicLongArray own;
    /** 1 for each counter this board has written. */
    private final AtomicIntegerArray written;
    /** How far past the values it found this board counts: {@link #TAKEOVER_STEP}, or none in a lane never owned. */
    private final long step;
    /** Changes found under way in lanes that had an owner, to end once their grace is over; only a look ends them. */
    private volatile Leftovers leftovers = Leftovers.NONE;
    /**
     * For each lane, its token when this board last read the file for what it left under way while free (nobody
     * holding its lock), or 0 when it was held or not read so: a lane free with this token has been read, and a new
     * owner that took and let go of it meanwhile shows as another token. Read and written by looks only, one at a time.
     */
    private final long[] readFreeWithToken = new long[LANES];

    /**
     * When to look for lanes let go of next; the first look is a period after opening, which read every lane (that
     * first look reads the lanes free then once more, as it has not seen them held; what it finds again is not added
     * twice).
     */
    private long nextLaneLookNanos;

    private boolean laneLooksScheduled;
    /** Looks for lanes let go of that read the file, for tests. */
    private volatile int freedLaneReads;

    /** Looks for lanes let go of, for tests. */
    private volatile int laneLooks;

    private final Object[] stripes = new Object[STRIPES];

    private BoardFile(
            FileChannel channel,
            Path path,
            Object fileKey,
            long generation,
            int lane,
            long token,
            FileLock laneLock,
            AtomicLongArray own,
            long step) {
        this.channel = channel;
        this.path = path;
        this.fileKey = fileKey;
        this.generation = generation;
        this.lane = lane;
        this.token = token;
        this.laneLock = laneLock;
        this.own = own;
        this.written = new AtomicIntegerArray(own.length());
        this.step = step;
        Arrays.setAll(stripes, i -> new Object());
    }

    /**
     * Opens the board file, setting it up when missing, empty or in the earlier layout (with the database file's
     * permissions), and takes a free lane: the preferred one when it is free (a board opening again after its channel
     * was closed under it goes back to the lane it left, where its changes began), else the first. The caller holds
     * {@link BoardFiles}' lock, and closes the channel through it when this fails.
     *
     * @throws IOException when it cannot be opened, holds something else than a board, or has no free lane
     */
    static BoardFile open(FileChannel channel, Path file, Path databaseFile, int preferredLane) throws IOException {
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
        for (int i = -1; i < LANES; i++) {
            int lane = i < 0 ? preferredLane : i;
            if (lane < 0 || lane >= LANES || (i >= 0 && lane == preferredLane)) {
                continue;
            }
            FileLock lock = tryLane(channel, lane);
            if (lock != null) {
                try {
                    long token = RANDOM.nextLong();
                    ByteBuffer tokens = ByteBuffer.allocate(LANES * 8);
                    channel.read(tokens, tokenOffset(0));
                    long step = tokens.getLong(lane * 8) != 0 ? TAKEOVER_STEP : 0;
                    AtomicLongArray own = new AtomicLongArray((SLOTS + 1) * 2);
                    Leftovers leftovers = readLanes(channel, lane, step, own, tokens);
                    if (channel.write(ByteBuffer.allocate(8).putLong(0, token), tokenOffset(lane)) != 8) {
                        throw new IOException("cannot write the board's lane token");
                    }
                    BoardFile board = new BoardFile(channel, file, key, generation, lane, token, lock, own, step);
                    board.leftovers = leftovers;
                    return board;
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

    /**
     * Reads the file once: this board's lane's counters as its last owner left them, and the step more, into {@code
     * own} (a new owner goes on from there, so no counter goes back and none meets a value the former owner may still
     * write); and every row that a lane which had an owner holds with a change under way, to end later if its owner
     * does not (a lane held by a live owner is looked at again then, and left alone while it is held).
     */
    private static Leftovers readLanes(FileChannel channel, int lane, long step, AtomicLongArray own, ByteBuffer tokens)
            throws IOException {
        List<Leftovers.Leftover> found = new ArrayList<>();
        long now = System.nanoTime();
        forEachRow(channel, (row, rows, at) -> {
            own.set(row * 2 + BEGUN, rows.getLong(at + lane * 16) + step);
            own.set(row * 2 + ENDED, rows.getLong(at + lane * 16 + 8) + step);
            for (int l = 0; l < LANES; l++) {
                if (tokens.getLong(l * 8) != 0) {
                    addIfUnderWay(found, rows, at, l, row, now);
                }
            }
        });
        return Leftovers.of(found);
    }

    private static void addIfUnderWay(
            List<Leftovers.Leftover> found, ByteBuffer rows, int at, int lane, int row, long nowNanos) {
        long begun = rows.getLong(at + lane * 16);
        long ended = rows.getLong(at + lane * 16 + 8);
        if (begun != ended) {
            found.add(new Leftovers.Leftover(lane, row, begun, ended, nowNanos));
        }
    }

    /**
     * Every {@code everyNanos}, at a look: finds the lanes whose owner let go of them since the last time (it died, or
     * left), by taking and at once releasing each one's lock, and reads the file once for the changes left under way
     * there, to end as leftovers. Without this, a process that was running when a peer died would leave the peer's
     * changes under way until some process opened the board again. A lane held by anyone, this JVM included, is left
     * alone; one that stays free is read only once.
     */
    void lookForFreedLanesIfDue(long nowNanos, long everyNanos) {
        if (!laneLooksScheduled) {
            laneLooksScheduled = true;
            nextLaneLookNanos = nowNanos + everyNanos;
            return;
        }
        if (nowNanos - nextLaneLookNanos < 0) {
            return;
        }
        nextLaneLookNanos = nowNanos + everyNanos;
        laneLooks++;
        try {
            ByteBuffer tokens = ByteBuffer.allocate(LANES * 8);
            channel.read(tokens, tokenOffset(0));
            boolean[] freed = new boolean[LANES];
            boolean any = false;
            for (int l = 0; l < LANES; l++) {
                long laneToken = tokens.getLong(l * 8);
                boolean free = false;
                if (l != lane && laneToken != 0) {
                    FileLock probe = tryLane(channel, l);
                    if (probe != null) {
                        probe.release();
                        free = true;
                    }
                }
                if (!free) {
                    readFreeWithToken[l] = 0;
                } else if (readFreeWithToken[l] != laneToken) {
                    freed[l] = true;
                    any = true;
                }
            }
            if (!any) {
                return;
            }
            List<Leftovers.Leftover> found = new ArrayList<>();
            forEachRow(channel, (row, rows, at) -> {
                for (int l = 0; l < LANES; l++) {
                    if (freed[l]) {
                        addIfUnderWay(found, rows, at, l, row, nowNanos);
                    }
                }
            });
            freedLaneReads++;
            leftovers = leftovers.plus(found);
            // Only once read: a read that failed leaves these lanes to be read at the next look.
            for (int l = 0; l < LANES; l++) {
                if (freed[l]) {
                    readFreeWithToken[l] = tokens.getLong(l * 8);
                }
            }
        } catch (IOException e) {
            throw new Gone();
        }
    }

    /** How many times this board looked for lanes let go of, for tests. */
    int laneLooks() {
        return laneLooks;
    }

    /** How many looks for lanes let go of read the file, for tests. */
    int freedLaneReads() {
        return freedLaneReads;
    }

    /** Whether changes found under way in lanes that had an owner are still to be ended. */
    boolean hasLeftovers() {
        return !leftovers.found().isEmpty();
    }

    /**
     * Ends the changes found under way in lanes that had an owner, each once its grace is over (see {@link
     * Leftovers}); called at a look. In this board's own lane, the difference it inherited is made up in memory and written with
     * the row, so a change of its own under way there stays under way. In a lane nobody holds, a row still as it was
     * found gets counters {@value #TAKEOVER_STEP} past them, begun and ended alike; that lane is held (by its lock) only
     * for that read and write, one lane at a time, so that a process opening the board meanwhile finds it free. What
     * could not be written (a full disk) is tried again at the next look.
     */
    void endLeftoversIfDue(long nowNanos, long graceNanos) {
        Leftovers current = leftovers;
        if (!current.anyDue(nowNanos, graceNanos)) {
            return;
        }
        List<Leftovers.Leftover> left = new ArrayList<>(current.found());
        try {
            Iterator<Leftovers.Leftover> each = left.iterator();
            while (each.hasNext()) {
                Leftovers.Leftover next = each.next();
                if (!next.isDue(nowNanos, graceNanos)) {
                    continue;
                }
                if (next.lane() == lane) {
                    makeUpInherited(next.row(), next.begun() - next.ended());
                } else {
                    endInFreeLane(next);
                }
                each.remove();
            }
        } finally {
            leftovers = Leftovers.of(left);
        }
    }

    private void makeUpInherited(int row, long difference) {
        addToBoth(row, Math.max(0, -difference) + 1, Math.max(0, difference) + 1);
    }

    private void endInFreeLane(Leftovers.Leftover left) {
        try {
            FileLock lock = tryLane(channel, left.lane());
            if (lock == null) {
                return; // its owner, or a new one, holds it: the new one ends it as its own
            }
            // Only a failure to write is tried again; a lane another holds, or a row moved on, is its owner's.
            try {
                ByteBuffer now = ByteBuffer.allocate(16);
                long at = laneOffset(left.row(), left.lane());
                if (channel.read(now, at) == 16 && now.getLong(0) == left.begun() && now.getLong(8) == left.ended()) {
                    long even = Math.max(left.begun(), left.ended()) + TAKEOVER_STEP;
                    channel.write(ByteBuffer.allocate(16).putLong(0, even).putLong(8, even), at);
                }
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new Gone();
        }
    }

    /** What is done with each row of the file, read a few hundred at a time: the row is at {@code at} in {@code rows}. */
    @FunctionalInterface
    private interface RowVisitor {
        void visit(int row, ByteBuffer rows, int at) throws IOException;
    }

    private static void forEachRow(FileChannel channel, RowVisitor visitor) throws IOException {
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
                visitor.visit(first + r, rows, r * ROW_BYTES);
            }
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

    Path path() {
        return path;
    }

    int lane() {
        return lane;
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
        if (laneLock == null && !retakeLane()) {
            return false; // lost when a channel of the file closed, and not to be had again: another lane is taken
        }
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

    /**
     * Whether this board lost its lane on a board still the same (read at a look, after {@link #isStillAt} said no):
     * another process took it, or this process lost its lock and could not take it again.
     */
    boolean lostItsLane() {
        try {
            ByteBuffer generation = ByteBuffer.allocate(8);
            ByteBuffer read = ByteBuffer.allocate(8);
            return channel.read(generation, GENERATION_OFFSET) == 8
                    && generation.getLong(0) == this.generation
                    && (laneLock == null || channel.read(read, tokenOffset(lane)) == 8 && read.getLong(0) != token);
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

    /**
     * A row's counters: the other lanes' read from the file in one read, this board's own as it wrote them. When the
     * file holds other values in this lane (a former owner of the lane wrote them), this board writes the row's
     * counters afresh, so that they are its own again and no reader takes the former owner's for a state of the row,
     * and the row is not used ({@link Gone}: the caller looks at the file, where it may find the lane taken from it).
     */
    Row row(int row) {
        boolean begunWritten = written.get(row * 2 + BEGUN) == 1;
        boolean endedWritten = written.get(row * 2 + ENDED) == 1;
        long begunBefore = own.get(row * 2 + BEGUN);
        long endedBefore = own.get(row * 2 + ENDED);
        ByteBuffer read = ByteBuffer.allocate(ROW_BYTES);
        try {
            if (channel.read(read, HEADER_BYTES + (long) row * ROW_BYTES) != ROW_BYTES) {
                throw new Gone();
            }
        } catch (IOException e) {
            throw new Gone();
        }
        if (!isAsWritten(read.getLong(lane * 16), row * 2 + BEGUN, begunWritten, begunBefore)
                || !isAsWritten(read.getLong(lane * 16 + 8), row * 2 + ENDED, endedWritten, endedBefore)) {
            addBoth(row);
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
     * Whether a counter of this lane, read from the file, is what this board wrote: its value before the read, one
     * written during it, or the value of a write under way (written to the file and not yet kept here); for a counter
     * not written before the read, also the value found when the lane was taken. A write keeps its value before it
     * marks the counter written, so a counter read as written has its value read after that.
     */
    private boolean isAsWritten(long inFile, int index, boolean writtenBefore, long before) {
        boolean writtenAfter = written.get(index) == 1;
        long after = own.get(index);
        if (!writtenBefore && inFile == before - step) {
            return true;
        }
        if (writtenAfter) {
            return inFile >= before && inFile <= after + 1;
        }
        return inFile == before + 1 || inFile == after;
    }

    /**
     * Adds one to a counter of this lane in the row and returns the new value. The value is known here,
     * so this is one write; it is made under a lock per few rows, so that two threads' values reach the file in order.
     */
    long add(int row, int which) {
        int index = row * 2 + which;
        synchronized (stripes[row & (STRIPES - 1)]) {
            long value = own.get(index) + 1;
            write(ByteBuffer.allocate(8).putLong(0, value), laneOffset(row) + which * 8L);
            own.set(index, value);
            written.set(index, 1);
            return value;
        }
    }

    /** Adds one to both counters of this lane in the row in one write: a change announced after it happened. */
    void addBoth(int row) {
        addToBoth(row, 1, 1);
    }

    /** Adds to both counters of this lane in the row in one write, under the row's lock like every addition. */
    private void addToBoth(int row, long toBegun, long toEnded) {
        synchronized (stripes[row & (STRIPES - 1)]) {
            long begun = own.get(row * 2 + BEGUN) + toBegun;
            long ended = own.get(row * 2 + ENDED) + toEnded;
            write(ByteBuffer.allocate(16).putLong(0, begun).putLong(8, ended), laneOffset(row));
            own.set(row * 2 + BEGUN, begun);
            own.set(row * 2 + ENDED, ended);
            written.set(row * 2 + BEGUN, 1);
            written.set(row * 2 + ENDED, 1);
        }
    }

    private long laneOffset(int row) {
        return laneOffset(row, lane);
    }

    /** Where a lane's pair of counters in a row is. */
    static long laneOffset(int row, int lane) {
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
    synchronized boolean retakeLane() {
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
