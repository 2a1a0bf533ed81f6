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
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One change board file as it was opened: its layout, and reading and adding to its pairs of counters. What the
 * counters mean is {@link ChangeBoard}'s; this class knows bytes, locks and whether the file is still the one it
 * opened.
 *
 * <p>Layout: a 64-byte header (magic, number of slots, the pair for all sessions at {@value #ALL_OFFSET}, the board's
 * random generation at {@value #GENERATION_OFFSET}), then one pair per slot: changes begun, changes ended, eight
 * bytes each.
 */
final class BoardFile {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeBoard.class);
    private static final byte[] MAGIC = "JSSCHGB1".getBytes(StandardCharsets.US_ASCII);
    /** Slots for sessions; a power of two. More would not make collisions rarer in a way that matters. */
    static final int SLOTS = 16_384;

    static final int ALL_OFFSET = 16;
    /** Where in a pair of counters each is. */
    static final int BEGUN = 0;

    static final int ENDED = 8;
    private static final int HEADER_BYTES = 64;
    private static final int GENERATION_OFFSET = 40;
    static final int SIZE = HEADER_BYTES + SLOTS * 16;
    /** How long a change waits for another process's lock on a pair before it goes unannounced. */
    private static final long LOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The file was cut short (or closed under a read): no counter can be trusted from it. */
    static final class Gone extends RuntimeException {
        Gone() {
            super(null, null, false, false);
        }
    }

    private final FileChannel channel;
    private final Object fileKey;
    private final long generation;

    private BoardFile(FileChannel channel, Object fileKey, long generation) {
        this.channel = channel;
        this.fileKey = fileKey;
        this.generation = generation;
    }

    /**
     * Opens the board file, setting it up when missing or empty (with the database file's permissions).
     *
     * @throws IOException when it cannot be opened, or holds something else than a board of this version
     */
    static BoardFile open(Path file, Path databaseFile) throws IOException {
        FileChannel channel = FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                // A link planted where the board goes must not make some other file a board.
                LinkOption.NOFOLLOW_LINKS);
        try (FileLock ignored = lockWhole(channel)) {
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
            return new BoardFile(channel, key, generation.getLong(0));
        } catch (IOException | RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    /**
     * The whole file's lock, for setting the board up, waited for at most {@link #LOCK_WAIT_NANOS}; another board of
     * this JVM holding a lock on the file counts as held (the JVM refuses overlapping locks rather than waiting).
     */
    private static FileLock lockWhole(FileChannel channel) throws IOException {
        return waitFor(() -> channel.tryLock(), "the whole board");
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

    /** The random number this board was born with; marks carry it, so no trust outlives the board. */
    long generation() {
        return generation;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Whether the file at {@code path} is still this board: not deleted, replaced, cut short, nor emptied and set up
     * again by another process since this one opened it.
     */
    boolean isStillAt(Path path) {
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!Objects.equals(now.fileKey(), fileKey) || now.size() != SIZE) {
                return false;
            }
            ByteBuffer generation = ByteBuffer.allocate(8);
            return channel.read(generation, GENERATION_OFFSET) == 8 && generation.getLong(0) == this.generation;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static int offsetOf(int slot) {
        return HEADER_BYTES + slot * 16;
    }

    /** The two counters (begun, ended) at the offset, read from the file at once. */
    ByteBuffer pair(int offset) {
        ByteBuffer pair = ByteBuffer.allocate(16);
        try {
            if (channel.read(pair, offset) != 16) {
                throw new Gone();
            }
        } catch (IOException e) {
            throw new Gone();
        }
        return pair;
    }

    /**
     * Adds one to a counter of the pair at the offset, holding the file's lock on its sixteen bytes, and returns the
     * pair as it was. Nothing is written when the pair cannot be read whole: a write past the end of a board cut short
     * would only extend it. The caller holds its process's one lock for pairs (see {@link PairLock}).
     */
    ByteBuffer addOne(int offset, int which) {
        try (FileLock ignored = lockPair(offset)) {
            ByteBuffer before = pair(offset);
            ByteBuffer after = ByteBuffer.allocate(8).putLong(0, before.getLong(which) + 1);
            if (channel.write(after, offset + which) != 8) {
                throw new Gone();
            }
            return before;
        } catch (IOException | RuntimeException e) {
            if (e instanceof Gone gone) {
                throw gone;
            }
            throw new Gone();
        }
    }

    /**
     * Adds one to both counters of the pair at the offset in one write, under the file's lock on it: a change
     * announced after it happened. The caller holds its process's one lock for pairs.
     */
    void addBoth(int offset) {
        try (FileLock ignored = lockPair(offset)) {
            ByteBuffer pair = pair(offset);
            ByteBuffer after =
                    ByteBuffer.allocate(16).putLong(0, pair.getLong(BEGUN) + 1).putLong(8, pair.getLong(ENDED) + 1);
            if (channel.write(after, offset) != 16) {
                throw new Gone();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof Gone gone) {
                throw gone;
            }
            throw new Gone();
        }
    }

    /**
     * The file's lock on a pair, waited for at most {@link #LOCK_WAIT_NANOS}: a process stopped while holding it (a
     * debugger, SIGSTOP) must not hold every other process's writes of that session.
     */
    private FileLock lockPair(int offset) throws IOException {
        return waitFor(() -> channel.tryLock(offset, 16, false), "a pair");
    }

    /** A lock that may be taken now. */
    @FunctionalInterface
    private interface LockAttempt {
        /** The lock, or null when another process holds it. */
        FileLock tryLock() throws IOException;
    }

    /**
     * Tries for a lock until {@link #LOCK_WAIT_NANOS} have passed. A lock held within this JVM (the library loaded
     * twice, by two web applications' class loaders, each with its own lock for pairs) counts as held, not as a
     * failure at once.
     */
    private static FileLock waitFor(LockAttempt attempt, String what) throws IOException {
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
                throw new IOException("another process held the change board's lock on " + what + " too long");
            }
            LockSupport.parkNanos(20_000);
        }
    }

    void close() {
        close(channel);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the board is being let go of
        }
    }
}
